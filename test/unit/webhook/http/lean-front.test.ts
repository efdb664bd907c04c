// The lean routes on a real TLS server: they answer what kube-apiserver and gateways send as
// node's routes would, and hand everything else over with no byte lost (record 89).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ci, ciToken, revoked, revokedToken, scim, scimToken, user } from "./app-world.ts";
import {
  call,
  createTestPki,
  removePki,
  startHarness,
  type Call,
  type Harness,
  type TestPki,
} from "./http-harness.ts";
import { RawTlsClient, type RawAnswer } from "./raw-tls-client.ts";
import { WebhookServer } from "../../../../src/webhook/http/server.ts";
import { silentLog } from "../fixtures.ts";

let pki: TestPki;
let lean: Harness;
let node: Harness;
const world = {
  users: [user],
  tokens: [ci, scim, revoked],
  records: [ciToken.record, scimToken.record, revokedToken.record],
  clientCertificates: true,
  timeouts: { headers: 300, request: 1000, keepAlive: 1500 },
};

beforeAll(async () => {
  pki = await createTestPki();
  lean = await startHarness({ ...world, pki });
  node = await startHarness({ ...world, pki, lean: false });
});
afterAll(async () => {
  await lean.stop();
  await node.stop();
  await removePki(pki);
});

const review = (token: string, apiVersion = "authentication.k8s.io/v1"): string =>
  JSON.stringify({ apiVersion, kind: "TokenReview", spec: { token } });

/** kube-apiserver's request, byte for byte in shape. */
function apiserverPost(body: string, extra = ""): string {
  return (
    `POST /authenticate?timeout=30s HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: kube-apiserver-admission\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nAccept: application/json, */*\r\n` +
    `Content-Type: application/json\r\n${extra}Accept-Encoding: gzip\r\n\r\n${body}`
  );
}

const connectAsApiserver = (h: Harness): Promise<RawTlsClient> =>
  RawTlsClient.connect(h.port, pki.caPem, pki.client);

function authenticated(answer: RawAnswer): unknown {
  return (JSON.parse(answer.body) as { status?: { authenticated?: unknown } }).status
    ?.authenticated;
}

describe("the lean routes", () => {
  it("answer kube-apiserver's TokenReviews on one kept-alive connection, below node's server", async () => {
    const before = lean.nodeRequests.count;
    const client = await connectAsApiserver(lean);
    for (let i = 1; i <= 3; i++) {
      client.send(apiserverPost(review(ciToken.value)));
      const answers = await client.answers(i);
      expect(answers[i - 1]?.status).toBe(200);
      expect(authenticated(answers[i - 1] as RawAnswer)).toBe(true);
    }
    const last = (await client.answers(3))[2] as RawAnswer;
    expect(last.headers.get("connection")).toBe("keep-alive");
    expect(last.headers.get("keep-alive")).toBe("timeout=1");
    expect(lean.nodeRequests.count).toBe(before);
    client.close();
  });

  const calls: [string, TableCall][] = [
    ["a valid token", post(review(ciToken.value))],
    ["a v1beta1 review", post(review(ciToken.value, "authentication.k8s.io/v1beta1"))],
    ["an unknown token", post(review(`${ciToken.value.slice(0, -4)}AAAA`))],
    ["a revoked token", post(review(revokedToken.value))],
    ["an audience-bound token without its audience", post(review(scimToken.value))],
    ["a garbage token", post(review("not-a-token"))],
    ["a certificate with another name", { ...post(review(ciToken.value)), clientCert: "other" }],
    ["no certificate", { ...post(review(ciToken.value)), clientCert: false }],
    ["a charset parameter", post(review(ciToken.value), "application/json; charset=utf-8")],
    ["a non-JSON body", post("{nope")],
    ["another media type", post(review(ciToken.value), "text/plain")],
    ["/verify with a valid token", verify("/verify", `Bearer ${ciToken.value}`)],
    ["/verify with no token", verify("/verify")],
    ["/verify with a refused token", verify("/verify", `Bearer ${revokedToken.value}`)],
    ["/verify missing a group", verify("/verify?group=admins", `Bearer ${ciToken.value}`)],
    ["/verify by HEAD", { ...verify("/verify", `Bearer ${ciToken.value}`), method: "HEAD" }],
    ["/verify with bad parameters", verify("/verify;nope=1", `Bearer ${ciToken.value}`)],
    ["Envoy's /verify prefix", verify("/verify/api/x?audience=scim", `Bearer ${scimToken.value}`)],
  ];
  it.each(calls)("answer %s as node's routes do", async (_name, c) => {
    const [fromLean, fromNode] = [
      await call(lean, pki, resolve(c)),
      await call(node, pki, resolve(c)),
    ];
    expect(comparable(fromLean)).toEqual(comparable(fromNode));
  });

  it("answer 503 as node's routes do until the caches may decide, and count it", async () => {
    lean.state.synced = false;
    node.state.synced = false;
    const refused = async (h: Harness): Promise<number> =>
      (await h.deps.metrics.rejectedRequests.get()).values
        .filter((v) => v.labels.code === 503)
        .reduce((sum, v) => sum + v.value, 0);
    const before = [await refused(lean), await refused(node)];
    try {
      for (const c of [post(review(ciToken.value)), verify("/verify", `Bearer ${ciToken.value}`)]) {
        const [fromLean, fromNode] = [await call(lean, pki, c), await call(node, pki, c)];
        expect(fromLean.status).toBe(503);
        expect(comparable(fromLean)).toEqual(comparable(fromNode));
      }
      expect([
        (await refused(lean)) - (before[0] ?? 0),
        (await refused(node)) - (before[1] ?? 0),
      ]).toEqual([2, 2]);
    } finally {
      lean.state.synced = true;
      node.state.synced = true;
    }
  });
});

describe("handing a connection to node's server", () => {
  it("keeps every byte: a chunked request between two plain ones, in one write", async () => {
    const before = lean.nodeRequests.count;
    const client = await connectAsApiserver(lean);
    const body = review(ciToken.value);
    const chunked = apiserverPost("", "Transfer-Encoding: chunked\r\n")
      .replace("Content-Length: 0\r\n", "")
      .concat(`${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\n\r\n`);
    client.send(apiserverPost(body) + chunked + apiserverPost(body));
    const answers = await client.answers(3);
    expect(answers.map((a) => [a.status, authenticated(a)])).toEqual([
      [200, true],
      [200, true],
      [200, true],
    ]);
    // The first was answered lean; from the chunked one on, node's server has the connection.
    expect(lean.nodeRequests.count - before).toBe(2);
    client.close();
  });

  it("leaves a smuggling attempt (Content-Length and Transfer-Encoding) to node, which refuses it", async () => {
    const before = lean.nodeRequests.count;
    const client = await connectAsApiserver(lean);
    client.send(
      apiserverPost(review(ciToken.value), "Transfer-Encoding: chunked\r\n") +
        apiserverPost(review(ciToken.value)),
    );
    const [answer] = await client.answers(1);
    expect(answer?.status).toBe(400);
    await client.closed;
    expect(lean.nodeRequests.count).toBe(before);
  });

  it("waits for a body that arrives in parts", async () => {
    const before = lean.nodeRequests.count;
    const client = await connectAsApiserver(lean);
    const request = apiserverPost(review(ciToken.value));
    client.send(request.slice(0, 40));
    await pause(30);
    client.send(request.slice(40, -10));
    await pause(30);
    client.send(request.slice(-10));
    const [answer] = await client.answers(1);
    expect(authenticated(answer as RawAnswer)).toBe(true);
    expect(lean.nodeRequests.count).toBe(before);
    client.close();
  });

  it("gives a request in many small pieces to node's incremental parser", async () => {
    const before = lean.nodeRequests.count;
    const client = await connectAsApiserver(lean);
    const request = apiserverPost(review(ciToken.value));
    const size = Math.ceil(request.length / 20);
    for (let at = 0; at < request.length; at += size) {
      client.send(request.slice(at, at + size));
      await pause(5);
    }
    const [answer] = await client.answers(1);
    expect(authenticated(answer as RawAnswer)).toBe(true);
    expect(lean.nodeRequests.count - before).toBe(1);
    client.close();
  });

  it("gives a request slower than the header timeout to node, bytes and all", async () => {
    const before = lean.nodeRequests.count;
    const client = await connectAsApiserver(lean);
    const request = apiserverPost(review(ciToken.value));
    client.send(request.slice(0, -5));
    await pause(450);
    client.send(request.slice(-5));
    const [answer] = await client.answers(1);
    expect(authenticated(answer as RawAnswer)).toBe(true);
    expect(lean.nodeRequests.count - before).toBe(1);
    client.close();
  });
});

describe("clients that do not read", () => {
  /** `count` pipelined TokenReviews in one write from a client that reads nothing for `ms`. */
  async function sendWithoutReading(count: number, ms: number): Promise<RawTlsClient> {
    const client = await connectAsApiserver(lean);
    client.socket.pause();
    client.send(apiserverPost(review(ciToken.value)).repeat(count));
    await pause(ms);
    client.socket.resume();
    return client;
  }

  it("are disconnected when they read none of their answers for the request timeout", async () => {
    // Far more answers (~24 MB) than loopback's socket buffers hold, so the server's back up.
    const client = await sendWithoutReading(40_000, 2500);
    await client.closed;
    await expect(client.answers(40_000, 1000)).rejects.toThrow(/of 40000 answers arrived/);
  }, 30_000);

  it("get every answer once they read again, past the header timeout, with requests split across records", async () => {
    // ~2.5 MB: the server stops reading; TLS records of 16 KiB end inside requests.
    const client = await sendWithoutReading(10_000, 700);
    const answers = await client.answers(10_000, 20_000);
    expect(answers.filter((a) => a.status === 200 && authenticated(a) === true)).toHaveLength(
      10_000,
    );
    client.close();
  }, 30_000);
});

describe("a lean answer that fails", () => {
  it("is a 500 framed as its request asks (no body for HEAD), and the connection goes on", async () => {
    const server = await WebhookServer.start({
      handler: (_req, res) => res.writeHead(404, { "Content-Length": "0" }).end(),
      lean: (request) => {
        if (request.path === "/throw") throw new Error("no answer");
        return undefined;
      },
      tls: { certFile: pki.files.cert, keyFile: pki.files.key },
      host: "127.0.0.1",
      port: 0,
      log: silentLog,
    });
    try {
      const client = await RawTlsClient.connect(server.port, pki.caPem);
      client.bodiless.add(0);
      client.send("HEAD /throw HTTP/1.1\r\nHost: w\r\n\r\nGET /throw HTTP/1.1\r\nHost: w\r\n\r\n");
      client.send("GET /other HTTP/1.1\r\nHost: w\r\n\r\n");
      const answers = await client.answers(3);
      expect(answers.map((a) => [a.status, a.body.length > 0])).toEqual([
        [500, false],
        [500, true],
        [404, false],
      ]);
      client.close();
    } finally {
      await server.close(100);
    }
  });
});

describe("closing lean connections", () => {
  it("closes one left idle past the keep-alive timeout", async () => {
    const client = await connectAsApiserver(lean);
    client.send(apiserverPost(review(ciToken.value)));
    await client.answers(1);
    const started = Date.now();
    await client.closed;
    expect(Date.now() - started).toBeGreaterThan(1000);
  });

  it("ends idle ones at once when the server stops, and answers a partial one with Connection: close", async () => {
    const own = await startHarness({ ...world, pki });
    const idle = await connectAsApiserver(own);
    const busy = await connectAsApiserver(own);
    const request = apiserverPost(review(ciToken.value));
    busy.send(request.slice(0, -5));
    await pause(20);
    const stopped = own.server.close(5000);
    await idle.closed;
    busy.send(request.slice(-5));
    const [answer] = await busy.answers(1);
    expect(authenticated(answer as RawAnswer)).toBe(true);
    expect(answer?.headers.get("connection")).toBe("close");
    await busy.closed;
    await stopped;
  });
});

/** A call of the table, which names the other client's certificate before the PKI exists. */
type TableCall = Omit<Call, "clientCert"> & { clientCert?: Call["clientCert"] | "other" };

function resolve(c: TableCall): Call {
  const { clientCert, ...rest } = c;
  return { ...rest, clientCert: clientCert === "other" ? pki.otherName : clientCert };
}

function post(body: string, contentType = "application/json"): Call {
  return { method: "POST", path: "/authenticate", headers: { "Content-Type": contentType }, body };
}

function verify(path: string, authorization?: string): Call {
  return { method: "GET", path, headers: authorization ? { Authorization: authorization } : {} };
}

/** Status, headers but Date, and body: what must be the same on both paths. */
function comparable(answer: { status: number; headers: Record<string, unknown>; text: string }) {
  const { date: _date, ...headers } = answer.headers;
  return { status: answer.status, headers, text: answer.text };
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
