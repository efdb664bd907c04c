// The informer against a fake API server, on a manual clock: 410 Gone relists, objects gone
// between lists are announced as deletions, restarts back off and reset, and the cache says
// how stale it may be.
import type { ServerResponse } from "node:http";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Informer, type InformerEvent } from "../../../src/k8s/informer.ts";
import type { KubeObject } from "../../../src/k8s/object.ts";
import { SECRETS } from "../../../src/k8s/paths.ts";
import { KubeRest } from "../../../src/k8s/rest.ts";
import { ManualClock } from "../manual-clock.ts";
import { sendJson, startFakeApiServer, statusBody, type FakeApiServer } from "./fake-api-server.ts";

type Answer = (res: ServerResponse) => void;

let fake: FakeApiServer;
let rest: KubeRest;
let clock: ManualClock;
let lists: Answer[];
let watches: Answer[];
let openWatches: ServerResponse[];
let logLines: { msg: string; retryInMs?: number; failures?: number }[];
let informer: Informer;
let events: string[];

const secret = (name: string): KubeObject => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name, namespace: "ns", resourceVersion: "1" },
});
const listOf =
  (names: string[], resourceVersion: string): Answer =>
  (res) =>
    sendJson(res, 200, { items: names.map(secret), metadata: { resourceVersion } });
const failing: Answer = (res) => sendJson(res, 500, statusBody(500, "InternalError", "etcd down"));
const hold: Answer = (res) => {
  res.writeHead(200, { "Content-Type": "application/json" });
  res.flushHeaders();
  openWatches.push(res);
};
const watchEvent =
  (type: string, object: object): Answer =>
  (res) => {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(`${JSON.stringify({ type, object })}\n`);
  };

beforeEach(async () => {
  fake = await startFakeApiServer();
  rest = new KubeRest(fake.kubeConfig({ token: "t" }));
  clock = new ManualClock();
  lists = [];
  watches = [];
  openWatches = [];
  logLines = [];
  events = [];
  fake.handle = (req, res) => {
    const answer = req.url.includes("watch=true") ? (watches.shift() ?? hold) : lists.shift();
    (answer ?? failing)(res);
  };
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) {
        logLines.push(JSON.parse(line) as (typeof logLines)[number]);
      }
      done();
    },
  });
  informer = new Informer({
    rest,
    resource: SECRETS,
    namespace: "ns",
    relistIntervalMs: 3_600_000,
    log: pino(sink),
    clock,
    random: () => 0.5,
  });
  informer.onChange((event: InformerEvent<KubeObject>) =>
    events.push(`${event.type} ${event.object.metadata?.name ?? ""}`),
  );
});

afterEach(async () => {
  await informer.stop();
  rest.close();
  await fake.stop();
});

const requests = (kind: "list" | "watch"): number =>
  fake.requests.filter((req) => req.url.includes("watch=true") === (kind === "watch")).length;
const restarts = (): { retryInMs?: number; failures?: number }[] =>
  logLines.filter((line) => line.msg === "informer failed; restarting");

describe("Informer", () => {
  it("relists after 410 Gone and announces objects deleted in between as deletions", async () => {
    lists.push(listOf(["a", "b"], "10"), listOf(["a", "c"], "20"));
    watches.push(watchEvent("ERROR", { kind: "Status", code: 410, message: "too old" }));
    informer.start();

    await expect
      .poll(() => events)
      .toEqual(["upsert a", "upsert b", "upsert a", "upsert c", "delete b"]);
    expect(informer.list().map((object) => object.metadata?.name)).toEqual(["a", "c"]);
    expect(requests("list")).toBe(2);
    // Gone is not a failure: no backoff, the relist comes at once.
    expect(restarts()).toEqual([]);
    await expect.poll(() => openWatches.length).toBe(1);
    expect(fake.requests.at(-1)?.url).toContain("resourceVersion=20");
  });

  it("lists in pages, following continue tokens, and transforms every object on ingest", async () => {
    await informer.stop();
    informer = new Informer({
      rest,
      resource: SECRETS,
      namespace: "ns",
      relistIntervalMs: 3_600_000,
      log: pino({ level: "silent" }),
      clock,
      pageSize: 2,
      transform: (object) => ({ metadata: { name: `${object.metadata?.name ?? ""}!` } }),
    });
    lists.push(
      (res) =>
        sendJson(res, 200, {
          items: ["a", "b"].map(secret),
          metadata: { resourceVersion: "10", continue: "page-2" },
        }),
      listOf(["c"], "10"),
    );
    watches.push(watchEvent("ADDED", secret("d")));
    informer.start();
    await expect.poll(() => informer.size).toBe(4);
    expect(informer.list().map((object) => object.metadata)).toEqual(
      ["a!", "b!", "c!", "d!"].map((name) => ({ name })),
    );
    const listUrls = fake.requests.filter((req) => !req.url.includes("watch=true"));
    expect(
      listUrls.map((req) => new URL(req.url, "https://x").searchParams.get("continue")),
    ).toEqual([null, "page-2"]);
    expect(listUrls[0]?.url).toContain("limit=2");
    // The watch resumes from the list's resourceVersion.
    expect(fake.requests.find((req) => req.url.includes("watch=true"))?.url).toContain(
      "resourceVersion=10",
    );
  });

  it("keeping keys only, announces the same events and deletes objects gone at a relist by name", async () => {
    await informer.stop();
    const announced: InformerEvent<KubeObject>[] = [];
    informer = new Informer({
      rest,
      resource: SECRETS,
      namespace: "ns",
      relistIntervalMs: 3_600_000,
      log: pino({ level: "silent" }),
      clock,
      keep: "keys",
    });
    informer.onChange((event) => announced.push(event));
    lists.push(listOf(["a", "b"], "10"), listOf(["a"], "20"));
    watches.push(watchEvent("ERROR", { kind: "Status", code: 410, message: "too old" }));
    informer.start();
    await expect.poll(() => announced.length).toBe(4);
    expect(announced.map((event) => `${event.type} ${event.object.metadata?.name ?? ""}`)).toEqual([
      "upsert a",
      "upsert b",
      "upsert a",
      "delete b",
    ]);
    // What it announces as gone is all it kept: the name, in its namespace.
    expect(announced[3]?.object).toEqual({ metadata: { namespace: "ns", name: "b" } });
    expect(announced[0]?.object).toEqual(secret("a"));
    expect(informer.size).toBe(1);
    expect(() => informer.get("a")).toThrow("keeps keys only");
    expect(() => informer.list()).toThrow("keeps keys only");
  });

  it("follows watch events, deletions included", async () => {
    lists.push(listOf(["a"], "10"));
    watches.push((res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.write(`${JSON.stringify({ type: "ADDED", object: secret("b") })}\n`);
      res.write(`${JSON.stringify({ type: "DELETED", object: secret("a") })}\n`);
      res.end(
        `${JSON.stringify({ type: "BOOKMARK", object: { metadata: { resourceVersion: "30" } } })}\n`,
      );
    });
    informer.start();
    await expect.poll(() => openWatches.length).toBe(1);
    expect(events).toEqual(["upsert a", "upsert b", "delete a"]);
    expect(fake.requests.at(-1)?.url).toContain("resourceVersion=30");
  });

  it("backs off on repeated failures with the shared policy and resets after a good list", async () => {
    lists.push(failing, failing, failing, listOf(["a"], "10"), listOf(["a"], "11"));
    watches.push(failing);
    informer.start();
    for (const failures of [1, 2, 3, 4]) {
      await expect.poll(() => restarts().length).toBe(failures);
      clock.advance(restarts()[failures - 1]?.retryInMs ?? 0);
    }
    await expect.poll(() => openWatches.length).toBe(1);
    // 200, 400, 800 ms (the work queue's policy), then a good list resets the count: the
    // failed watch after it waits 200 ms again.
    expect(restarts().map((line) => [line.failures, line.retryInMs])).toEqual([
      [1, 200],
      [2, 400],
      [3, 800],
      [1, 200],
    ]);
    expect(informer.hasSynced()).toBe(true);
  });

  it("is current while its watch is open and stale for as long as it cannot list", async () => {
    expect(informer.staleForMs()).toBe(Number.POSITIVE_INFINITY);
    lists.push(listOf(["a"], "10"));
    informer.start();
    await expect.poll(() => openWatches.length).toBe(1);
    clock.advance(120_000);
    expect(informer.staleForMs()).toBe(0);

    // The API server goes away: the watch is cut and lists fail.
    lists.push(failing, failing);
    for (const res of openWatches.splice(0)) res.destroy();
    await expect.poll(() => restarts().length).toBe(1);
    clock.advance(30_000);
    expect(informer.staleForMs()).toBe(30_000);
    await expect.poll(() => restarts().length).toBe(2);
    clock.advance(45_000);
    await expect.poll(() => restarts().length).toBe(3);
    expect(informer.staleForMs()).toBe(75_000);

    // It comes back: the next list makes the cache current again.
    lists.push(listOf(["a"], "12"));
    clock.advance(restarts()[2]?.retryInMs ?? 0);
    await expect.poll(() => openWatches.length).toBe(1);
    expect(informer.staleForMs()).toBe(0);
  });
});
