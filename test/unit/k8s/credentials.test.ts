// Credential refresh over several minutes of fake time: a watch opened at the start stays on
// its one connection while tokens rotate and while a new client certificate takes over.
import type { ServerResponse } from "node:http";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { KubeRest } from "../../../src/k8s/rest.ts";
import { watchEvents, type WatchEvent } from "../../../src/k8s/watch-stream.ts";
import {
  sendJson,
  startFakeApiServer,
  writeTestFile,
  type FakeApiServer,
} from "./fake-api-server.ts";

const MINUTE_MS = 60_000;

let fake: FakeApiServer;
let watches: ServerResponse[];

beforeEach(async () => {
  fake = await startFakeApiServer();
  watches = [];
  fake.handle = (req, res) => {
    if (req.url.includes("watch=true")) {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.flushHeaders();
      watches.push(res);
    } else {
      sendJson(res, 200, { kind: "Status", status: "Success" });
    }
  };
  vi.useFakeTimers({ toFake: ["Date"] });
});

afterEach(async () => {
  vi.useRealTimers();
  await fake.stop();
});

/** Sends one event on every open watch. */
function pushEvent(name: string): void {
  const event = { type: "ADDED", object: { metadata: { name, resourceVersion: name } } };
  for (const res of watches) res.write(`${JSON.stringify(event)}\n`);
}

/** The name in the next watch event; undefined once the watch ended. */
async function nextEventName(events: AsyncGenerator<WatchEvent>): Promise<string | undefined> {
  const next = await events.next();
  return next.done === true ? undefined : next.value.object.metadata?.name;
}

const authorizationOf = (index: number): unknown => fake.requests[index]?.headers.authorization;

describe("KubeRest credential refresh", () => {
  it("keeps a watch on its one connection for five minutes while the token rotates", async () => {
    const tokenFile = await writeTestFile(fake, "token", "token-one");
    const rest = new KubeRest(
      fake.kubeConfig({ authProvider: { name: "tokenFile", config: { tokenFile } } }),
    );
    const response = await rest.stream("/api/v1/pods?watch=true", new AbortController().signal);
    const events = watchEvents(response);

    for (let step = 1; step <= 10; step += 1) {
      vi.setSystemTime(Date.now() + MINUTE_MS / 2);
      if (step === 5) await writeTestFile(fake, "token", "token-two");
      await rest.request("GET", "/api/v1/namespaces");
      pushEvent(`event-${step}`);
      expect(await nextEventName(events)).toBe(`event-${step}`);
    }

    // One watch request, never cut: the pool was not destroyed by any of the refreshes.
    expect(fake.requests.filter((req) => req.url.includes("watch=true"))).toHaveLength(1);
    expect(fake.cutResponses).toBe(0);
    // The watch's connection plus one keep-alive connection for all ten GETs.
    expect(fake.connections).toBe(2);
    // The rotated token was picked up by a refresh (client-node re-reads the file after 60 s).
    expect(authorizationOf(0)).toBe("Bearer token-one");
    expect(authorizationOf(fake.requests.length - 1)).toBe("Bearer token-two");
    rest.close();
  });

  it("moves to a new pool when the client certificate changes and lets the old one drain", async () => {
    const first = await fake.issueClient("client-one");
    const certFile = await writeTestFile(fake, "tls.crt", first.certPem);
    const keyFile = await writeTestFile(fake, "tls.key", first.keyPem);
    const rest = new KubeRest(fake.kubeConfig({ certFile, keyFile }));
    const response = await rest.stream("/api/v1/pods?watch=true", new AbortController().signal);
    const events = watchEvents(response);
    expect(rest.openPools).toBe(1);

    const second = await fake.issueClient("client-two");
    await writeTestFile(fake, "tls.crt", second.certPem);
    await writeTestFile(fake, "tls.key", second.keyPem);
    vi.setSystemTime(Date.now() + 2 * MINUTE_MS);
    await rest.request("GET", "/api/v1/namespaces");

    expect(fake.requests.map((req) => req.clientName)).toEqual(["client-one", "client-two"]);
    expect(rest.openPools).toBe(2);
    pushEvent("after-rotation");
    expect(await nextEventName(events)).toBe("after-rotation");
    expect(fake.cutResponses).toBe(0);

    // The watch ends (server timeout): the drained pool closes; the new one stays.
    for (const res of watches) res.end();
    expect(await nextEventName(events)).toBeUndefined();
    await expect.poll(() => rest.openPools).toBe(1);
    rest.close();
  });

  it("reloads credentials once for many concurrent requests (single flight)", async () => {
    const kubeConfig = fake.kubeConfig({ token: "static" });
    const loads = vi.spyOn(kubeConfig, "applyToHTTPSOptions");
    const rest = new KubeRest(kubeConfig);
    const burst = (): Promise<unknown[]> =>
      Promise.all(Array.from({ length: 8 }, () => rest.request("GET", "/api/v1/namespaces")));

    await burst();
    expect(loads).toHaveBeenCalledTimes(1);
    await burst();
    expect(loads).toHaveBeenCalledTimes(1);
    vi.setSystemTime(Date.now() + MINUTE_MS + 1);
    await burst();
    expect(loads).toHaveBeenCalledTimes(2);
    // Unchanged TLS material: still one pool.
    expect(rest.openPools).toBe(1);
    rest.close();
  });

  it("refuses a request whose credentials cannot be read, and recovers when they can", async () => {
    const tokenFile = `${fake.dir}/missing-token`;
    const rest = new KubeRest(
      fake.kubeConfig({ authProvider: { name: "tokenFile", config: { tokenFile } } }),
    );
    await expect(rest.request("GET", "/api/v1/namespaces")).rejects.toMatchObject({
      status: 0,
      reason: "NoCredentials",
    });
    await writeTestFile(fake, "missing-token", "late-token");
    await rest.request("GET", "/api/v1/namespaces");
    expect(authorizationOf(0)).toBe("Bearer late-token");
    rest.close();
  });
});
