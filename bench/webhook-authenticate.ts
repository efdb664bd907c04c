// Benchmark: /authenticate and /authorize throughput and latency with 10,000 tokens in the caches. The service
// runs in this process over HTTPS (info-level logs to /dev/null, as in production); the load
// comes from a child process over keep-alive connections, so the two do not share an event loop.
// `node bench/webhook-authenticate.ts [TOKENS] [SECONDS] [CONNECTIONS]`. Prints figures only.
import { fork } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { Agent, request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pino } from "pino";
import { CONTROLLER_FIELD_MANAGER } from "../src/api/index.ts";
import { desiredHashRecord } from "../src/domain/hash-record.ts";
import { createCertificateAuthority } from "../src/tls/pki.ts";
import { loggerOptions } from "../src/log.ts";
import { generateToken, hashToken, tokenIdFromHash } from "../src/tokens/index.ts";
import { createWebhookApp } from "../src/webhook/http/app.ts";
import { decideAuthentication } from "../src/webhook/authn/decide.ts";
import { decideAuthorization } from "../src/webhook/authz/decide.ts";
import type { SubjectAccessReviewRequest } from "../src/webhook/authz/subject-access-review.ts";
import { CachedFacts } from "../src/webhook/cache/cached-facts.ts";
import { createWebhookMetrics } from "../src/webhook/metrics.ts";
import { WebhookServer } from "../src/webhook/http/server.ts";

const say = (message: string): boolean => process.stdout.write(`${message}\n`);

interface ClientOrder {
  url: string;
  caPem: string;
  /** Request bodies, sent round-robin. */
  bodies: string[];
  /** A substring of every successful answer. */
  success: string;
  seconds: number;
  connections: number;
}

interface ClientReport {
  requests: number;
  failures: number;
  seconds: number;
  latenciesMs: number[];
}

if (process.argv[2] === "--client") {
  process.once("message", (order: ClientOrder) => {
    void runClient(order).then((report) => process.send?.(report, () => process.exit(0)));
  });
} else {
  await runServer();
}

async function runServer(): Promise<void> {
  const tokenCount = Number(process.argv[2] ?? 10_000);
  const seconds = Number(process.argv[3] ?? 10);
  const connections = Number(process.argv[4] ?? 16);
  const log = pino(loggerOptions("info"), pino.destination({ dest: "/dev/null", sync: false }));
  const facts = new CachedFacts(log);
  facts.applyServiceUser({
    type: "upsert",
    object: { metadata: { name: "bench", uid: "u" }, spec: { role: "Member", teams: ["a", "b"] } },
  });
  const values: string[] = [];
  const reviews: SubjectAccessReviewRequest[] = [];
  const createdAt = new Date();
  for (let i = 0; i < tokenCount; i++) {
    const value = generateToken();
    values.push(value);
    reviews.push({
      apiVersion: "authorization.k8s.io/v1",
      user: "bench@service",
      uid: "u",
      groups: [
        "svctokens:service-users",
        "svctokens:role:member",
        "svctokens:team:a",
        "svctokens:team:b",
      ],
      extra: { "svctokens.dev/token-id": [hashToken(value).slice(7, 23)] },
      resourceAttributes: { namespace: "ns-1", verb: "list", resource: "pods", version: "v1" },
    });
    const token = { namespace: `ns-${i % 100}`, name: `t-${i}`, uid: `uid-${i}` };
    const hash = hashToken(value);
    facts.applyServiceToken({
      type: "upsert",
      object: {
        metadata: { ...token },
        spec: { serviceUser: "bench", revoked: false, expiresInDays: 30 },
        // What the controller pins before writing a value.
        status: {
          tokenId: tokenIdFromHash(hash),
          createdAt: createdAt.toISOString(),
          serviceUserUid: "u",
        },
      },
    });
    const record = desiredHashRecord({
      operatorNamespace: "svctokens-system",
      token,
      serviceUserUid: "u",
      hash,
      createdAt,
      expiresAt: new Date(createdAt.getTime() + 30 * 86_400_000),
    });
    // As the API server reports a record the controller wrote.
    const managedFields = [{ manager: CONTROLLER_FIELD_MANAGER, fieldsV1: { "f:data": {} } }];
    facts.applyHashRecord({
      type: "upsert",
      object: { ...record, metadata: { ...record.metadata, managedFields } },
    });
  }
  say(`caches: ${JSON.stringify(facts.sizes())}`);

  // The pure decision alone, for scale.
  const decisions = 200_000;
  const started = performance.now();
  const now = new Date();
  for (let i = 0; i < decisions; i++)
    decideAuthentication(values[i % tokenCount] ?? "", [], facts, now);
  const pureMs = performance.now() - started;
  say(
    `decideAuthentication: ${Math.round(decisions / (pureMs / 1000))}/s (${((pureMs * 1000) / decisions).toFixed(1)} µs each)`,
  );
  const authzStarted = performance.now();
  for (let i = 0; i < decisions; i++) {
    const review = reviews[i % tokenCount];
    if (review && decideAuthorization(review, facts, now).kind !== "no-opinion")
      throw new Error("a current token's review was not answered with no opinion");
  }
  const authzMs = performance.now() - authzStarted;
  say(
    `decideAuthorization: ${Math.round(decisions / (authzMs / 1000))}/s (${((authzMs * 1000) / decisions).toFixed(1)} µs each)`,
  );

  const dir = await mkdtemp(join(tmpdir(), "svctokens-bench-"));
  const ca = await createCertificateAuthority("svctokens-bench-ca");
  const pair = await ca.issue({ usage: "server", commonName: "bench", ipAddresses: ["127.0.0.1"] });
  await writeFile(join(dir, "tls.crt"), pair.certPem);
  await writeFile(join(dir, "tls.key"), pair.keyPem);
  let uses = 0;
  const server = await WebhookServer.start({
    handler: createWebhookApp({
      facts,
      hasSynced: () => true,
      recordUse: () => void uses++,
      isAdmin: () => Promise.resolve(false),
      fetchNamespaceLabels: () => Promise.resolve({}),
      controllerUsername: "controller",
      maxTokenLifetimeDays: undefined,
      requireClientCertificate: false,
      allowedClientNames: [],
      metrics: createWebhookMetrics(false),
      log,
      now: () => new Date(),
    }),
    tls: { certFile: join(dir, "tls.crt"), keyFile: join(dir, "tls.key") },
    host: "127.0.0.1",
    port: 0,
    log,
  });

  const load = (path: string, bodies: string[], success: string): Promise<ClientReport> => {
    const client = fork(new URL(import.meta.url).pathname, ["--client"]);
    return new Promise<ClientReport>((resolve) => {
      client.once("message", (message) => resolve(message as ClientReport));
      const order: ClientOrder = {
        url: `https://127.0.0.1:${server.port}${path}`,
        caPem: ca.certPem,
        bodies,
        success,
        seconds,
        connections,
      };
      client.send(order);
    });
  };
  const tokenReviews = values.slice(0, 2000).map((token) =>
    JSON.stringify({
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenReview",
      spec: { token },
    }),
  );
  const authn = await load("/authenticate", tokenReviews, '"authenticated":true');
  sayFigures("/authenticate", authn, `uses recorded ${uses}`);
  const accessReviews = reviews.slice(0, 2000).map((review) =>
    JSON.stringify({
      apiVersion: review.apiVersion,
      kind: "SubjectAccessReview",
      spec: {
        user: review.user,
        uid: review.uid,
        groups: [...review.groups, "system:authenticated"],
        extra: review.extra,
        resourceAttributes: review.resourceAttributes,
      },
    }),
  );
  const authz = await load("/authorize", accessReviews, '"denied":false');
  sayFigures("/authorize", authz, "answers: no opinion");
  await server.close(1000);
  await rm(dir, { recursive: true, force: true });

  function sayFigures(path: string, report: ClientReport, note: string): void {
    const sorted = report.latenciesMs.sort((a, b) => a - b);
    const pct = (p: number): string =>
      (sorted[Math.floor((sorted.length - 1) * p)] ?? 0).toFixed(2);
    say(
      `${path} over HTTPS, ${tokenCount} tokens, ${connections} keep-alive connections, ` +
        `${report.seconds.toFixed(1)} s: ${Math.round(report.requests / report.seconds)}/s, ` +
        `p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms, max ${pct(1)} ms, failures ${report.failures}, ` +
        note,
    );
  }
}

async function runClient(order: ClientOrder): Promise<ClientReport> {
  const agent = new Agent({ keepAlive: true, maxSockets: order.connections, ca: order.caPem });
  const latenciesMs: number[] = [];
  let failures = 0;
  let next = 0;
  const deadline = performance.now() + order.seconds * 1000;
  const started = performance.now();
  const one = (body: string): Promise<void> =>
    new Promise((resolve) => {
      const t0 = performance.now();
      const req = request(
        order.url,
        { method: "POST", agent, ca: order.caPem, headers: { "Content-Type": "application/json" } },
        (res) => {
          let text = "";
          res.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
          res.on("end", () => {
            latenciesMs.push(performance.now() - t0);
            if (res.statusCode !== 200 || !text.includes(order.success)) failures++;
            resolve();
          });
        },
      );
      req.on("error", (error) => {
        if (failures === 0) process.stderr.write(`first client error: ${error.message}\n`);
        failures++;
        resolve();
      });
      req.end(body);
    });
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline)
      await one(order.bodies[next++ % order.bodies.length] ?? "");
  };
  await Promise.all(Array.from({ length: order.connections }, worker));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { requests: latenciesMs.length, failures, seconds, latenciesMs };
}
