// KubeRest on a fake HTTPS API server: who it says it is, the field manager on every write,
// and how failures become KubeApiError.
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  CONTROLLER_CLIENT,
  SVCTOKENS_VERSION,
  TOOL_CLIENT,
  WEBHOOK_CLIENT,
  clientIdentity,
} from "../../../src/k8s/client-identity.ts";
import { KubeApiError, isAlreadyExists, isNotFound } from "../../../src/k8s/errors.ts";
import { KubeRest, PATCH, withFieldManager } from "../../../src/k8s/rest.ts";
import { sendJson, startFakeApiServer, statusBody, type FakeApiServer } from "./fake-api-server.ts";

let fake: FakeApiServer;

beforeEach(async () => {
  fake = await startFakeApiServer();
  fake.handle = (_req, res) => sendJson(res, 200, {});
});

afterEach(async () => {
  await fake.stop();
});

const restFor = (options: ConstructorParameters<typeof KubeRest>[1] = {}): KubeRest =>
  new KubeRest(fake.kubeConfig({ token: "t" }), options);

describe("client identity", () => {
  it("names each component and the release", () => {
    const version = (JSON.parse(readFileSync("package.json", "utf8")) as { version: string })
      .version;
    expect(SVCTOKENS_VERSION).toBe(version);
    expect(CONTROLLER_CLIENT).toEqual({
      userAgent: `svctokens-controller/${version}`,
      fieldManager: "svctokens-controller",
    });
    expect(WEBHOOK_CLIENT.userAgent).toBe(`svctokens-webhook/${version}`);
    expect(clientIdentity("x", "9.9.9")).toEqual({ userAgent: "x/9.9.9", fieldManager: "x" });
  });

  it("sends the caller's User-Agent on every request, the tool's by default", async () => {
    const rest = restFor({ identity: WEBHOOK_CLIENT });
    await rest.request("GET", "/api/v1/namespaces");
    await rest.request("DELETE", "/api/v1/namespaces/a");
    await rest
      .stream("/api/v1/pods?watch=true", AbortSignal.timeout(60_000))
      .then((res) => res.destroy());
    const fallback = restFor();
    await fallback.request("GET", "/api/v1/namespaces");
    expect(fake.requests.map((req) => req.headers["user-agent"])).toEqual([
      WEBHOOK_CLIENT.userAgent,
      WEBHOOK_CLIENT.userAgent,
      WEBHOOK_CLIENT.userAgent,
      TOOL_CLIENT.userAgent,
    ]);
    rest.close();
    fallback.close();
  });
});

describe("field manager", () => {
  it.each([
    ["POST", "/api/v1/secrets", "/api/v1/secrets?fieldManager=m"],
    ["PUT", "/api/v1/secrets/a", "/api/v1/secrets/a?fieldManager=m"],
    ["patch", "/x/status", "/x/status?fieldManager=m"],
    ["PATCH", "/x?force=true", "/x?force=true&fieldManager=m"],
    ["PATCH", "/x?fieldManager=own&force=true", "/x?fieldManager=own&force=true"],
    ["GET", "/x", "/x"],
    ["DELETE", "/x", "/x"],
  ])("%s %s → %s", (method, path, expected) => {
    expect(withFieldManager(method, path, "m")).toBe(expected);
  });

  it("names the manager on every write the client sends, status patches included", async () => {
    const rest = restFor({ identity: CONTROLLER_CLIENT });
    await rest.request("POST", "/api/v1/namespaces/a/secrets", {});
    await rest.request("PUT", "/apis/coordination.k8s.io/v1/namespaces/a/leases/l", {});
    await rest.request("PATCH", "/apis/g/v1/namespaces/a/things/t/status", {}, PATCH.merge);
    await rest.request(
      "PATCH",
      "/api/v1/secrets/s?fieldManager=svctokens-controller&force=true",
      {},
      PATCH.apply,
    );
    await rest.request("GET", "/api/v1/namespaces");
    const managers = fake.requests.map((req) =>
      new URL(req.url, fake.url).searchParams.getAll("fieldManager"),
    );
    expect(managers).toEqual([
      ["svctokens-controller"],
      ["svctokens-controller"],
      ["svctokens-controller"],
      ["svctokens-controller"],
      [],
    ]);
    rest.close();
  });
});

describe("errors", () => {
  it("turns a Status answer into KubeApiError with the API's reason and message", async () => {
    fake.handle = (req, res) =>
      req.method === "GET"
        ? sendJson(res, 404, statusBody(404, "NotFound", 'secrets "a" not found'))
        : sendJson(res, 409, statusBody(409, "AlreadyExists", 'secrets "a" already exists'));
    const seen: [string, string, number][] = [];
    const rest = restFor({ observer: (...call) => seen.push(call) });

    const missing = await rest.request("GET", "/api/v1/secrets/a").catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(KubeApiError);
    expect(isNotFound(missing)).toBe(true);
    expect((missing as KubeApiError).message).toBe(
      'GET /api/v1/secrets/a: 404 secrets "a" not found',
    );
    const taken = await rest.request("POST", "/api/v1/secrets", {}).catch((e: unknown) => e);
    expect(isAlreadyExists(taken)).toBe(true);
    expect(seen).toEqual([
      ["GET", "/api/v1/secrets/a", 404],
      ["POST", "/api/v1/secrets", 409],
    ]);
    rest.close();
  });

  it("keeps the start of a body that is not a Status (a proxy's page)", async () => {
    fake.handle = (_req, res) => res.writeHead(502).end("<html>bad gateway</html>");
    const rest = restFor();
    await expect(rest.request("GET", "/api/v1/namespaces")).rejects.toMatchObject({
      status: 502,
      reason: "Unknown",
      message: "GET /api/v1/namespaces: 502 <html>bad gateway</html>",
    });
    rest.close();
  });

  it("reports a refused watch with the API's status", async () => {
    fake.handle = (_req, res) => sendJson(res, 410, statusBody(410, "Expired", "too old"));
    const rest = restFor();
    await expect(
      rest.stream("/api/v1/pods?watch=true", AbortSignal.timeout(60_000)),
    ).rejects.toMatchObject({ status: 410, reason: "Expired" });
    rest.close();
  });

  it("reports status 0 when nobody answers", async () => {
    const rest = restFor();
    await fake.stop();
    const error = await rest.request("GET", "/api/v1/namespaces").catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 0, reason: "NoAnswer" });
    expect((error as Error).message).toMatch(/^GET \/api\/v1\/namespaces: /);
    rest.close();
    fake = await startFakeApiServer();
  });
});

describe("a request's signal", () => {
  it("ends a request left unanswered: a KubeApiError with no status, and the next one is served", async () => {
    const rest = restFor();
    fake.handle = () => undefined; // never answers
    const error = await rest
      .request("PATCH", "/apis/x/v1/a/status", {}, PATCH.merge, AbortSignal.timeout(200))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeApiError);
    expect(error).toMatchObject({ status: 0 });
    fake.handle = (_req, res) => sendJson(res, 200, { ok: true });
    expect(await rest.request("GET", "/api/v1/namespaces")).toEqual({ ok: true });
    rest.close();
  });
});
