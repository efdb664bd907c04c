// The two servers bench:webhook compares, each in a child process of its own (its RSS is its
// own): the product — the webhook's caches (real informers over a synthetic API listing of
// `tokens` tokens), freshness check, app and HTTPS server wired as src/webhook/service.ts wires
// them — and the floor: a bare node:https server that answers every request with a fixed
// answer copied from the product (same status, headers and body size).
import { mkdtemp, writeFile } from "node:fs/promises";
import { createServer } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pino } from "pino";
import { loggerOptions } from "../../src/log.ts";
import { WebhookCaches } from "../../src/webhook/cache/caches.ts";
import { CacheFreshness } from "../../src/webhook/cache/freshness.ts";
import { useBookkeeping } from "../../src/webhook/use-bookkeeping.ts";
import { scanTokenReview } from "../../src/webhook/authn/token-review-scan.ts";
import { tokenReviewResponseJson } from "../../src/webhook/authn/token-review.ts";
import { AUTHENTICATE_BODY_LIMIT, createWebhookApp } from "../../src/webhook/http/app.ts";
import type { WebhookDeps } from "../../src/webhook/http/deps.ts";
import {
  sendAnswer,
  UNCACHED_JSON_HEADERS,
  type Answer,
} from "../../src/webhook/http/http-errors.ts";
import { readBodyText } from "../../src/webhook/http/json-body.ts";
import { runAuthentication } from "../../src/webhook/http/routes/run-authentication.ts";
import { WebhookServer } from "../../src/webhook/http/server.ts";
import { leanRoutes, type LeanResponder } from "../../src/webhook/http/lean/lean-routes.ts";
import { createWebhookMetrics } from "../../src/webhook/metrics.ts";
import { OPERATOR_NAMESPACE } from "./synthetic-cluster.ts";
import { syntheticApi } from "./synthetic-api.ts";
import { readMemory, type MemoryReading } from "./memory.ts";

/** A fixed answer of the floor: status, headers and body. */
export interface FixedAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type ServerOrder =
  | {
      mode: "product";
      tokens: number;
      certPem: string;
      keyPem: string;
      /** Only part of the product's handler (bench:webhook:stages); the whole app if unset. */
      stage?: Stage;
      /** The answer the partial stages send instead of their own (POST /authenticate). */
      answer?: FixedAnswer;
    }
  | { mode: "memory" }
  | { mode: "cpu" }
  | { mode: "exit" }
  | {
      mode: "floor";
      answers: Record<string, FixedAnswer>;
      certPem: string;
      keyPem: string;
      /**
       * Busy work per answer, in µs, before it is sent: a floor that does that much more, to
       * read what extra work per request costs in throughput on this machine.
       */
      workMicros?: number;
    };

/**
 * How much of the product's /authenticate handler runs, each a step further than the one
 * before: `floor` the floor's handler in a process holding the product's caches; `read` the
 * product's body reading and response writing around a fixed answer; `lean` the lean routes'
 * connections (parse, answer bytes) sending the fixed answer; `decide` also the scan,
 * the decision and the product's own answer; `app` the whole app (client, sync and media-type
 * checks, routing). All four on the product's server (server.ts: timeouts, TLS reloading).
 */
export type Stage = "floor" | "lean" | "read" | "decide" | "app";

/** What a started server reports. */
export interface ServerReady extends MemoryReading {
  port: number;
  /** Product only: time to list and index every object, and memory once that is done. */
  syncMs?: number;
}

/** The server's CPU time so far (user + system), in microseconds. */
export interface ServerCpu {
  cpuMicros: number;
  /** The main thread's alone (no compiler or GC helper threads). */
  threadMicros: number;
}

async function startProduct(
  order: Extract<ServerOrder, { mode: "product" }>,
): Promise<ServerReady> {
  const log = pino(loggerOptions("info"), pino.destination({ dest: "/dev/null", sync: false }));
  const metrics = createWebhookMetrics(false);
  const started = performance.now();
  const caches = new WebhookCaches({
    rest: syntheticApi(order.tokens),
    namespace: OPERATOR_NAMESPACE,
    relistIntervalMs: 3_600_000,
    log,
  });
  caches.start();
  await caches.synced();
  const syncMs = performance.now() - started;
  const freshness = new CacheFreshness(caches, 60_000, metrics.staleDecisions);
  const dir = await mkdtemp(join(tmpdir(), "svctokens-bench-"));
  await writeFile(join(dir, "tls.crt"), order.certPem);
  await writeFile(join(dir, "tls.key"), order.keyPem);
  const httpLog = log.child({ component: "http" }, { formatters: { log: freshness.annotateLog } });
  // The service's own wiring; last-used writes go nowhere (there is no API server here).
  const { lastUsed, successLog, hooks } = useBookkeeping({
    facts: caches.facts,
    freshness,
    log,
    httpLog,
    metrics,
    lastUsedFlushMs: 60_000,
    writeLastUsed: () => Promise.resolve(),
  });
  lastUsed.start();
  successLog.start();
  const deps: WebhookDeps = {
    facts: caches.facts,
    hasSynced: () => freshness.admitDecision(),
    ...hooks,
    isAdmin: () => Promise.resolve(false),
    fetchNamespaceLabels: () => Promise.resolve({}),
    controllerUsername: "controller",
    maxTokenLifetimeDays: undefined,
    requireClientCertificate: false,
    allowedClientNames: [],
    metrics,
    log: httpLog,
    now: () => new Date(),
  };
  const server = await WebhookServer.start({
    handler: stageHandler(order.stage ?? "app", deps, order.answer),
    lean: leanStage(order.stage ?? "app", deps, order.answer),
    tls: { certFile: join(dir, "tls.crt"), keyFile: join(dir, "tls.key") },
    host: "127.0.0.1",
    port: 0,
    log,
  });
  return { port: server.port, syncMs, ...readMemory() };
}

/** The lean routes of `stage`: the product's (app), a fixed answer (lean), none (the others). */
function leanStage(
  stage: Stage,
  deps: WebhookDeps,
  answer: FixedAnswer | undefined,
): LeanResponder | undefined {
  if (stage === "app") return leanRoutes(deps);
  if (stage !== "lean" || answer === undefined) return undefined;
  // The framing headers are the connection's to write.
  const headers = Object.fromEntries(
    Object.entries(answer.headers).filter(([name]) => !FRAMING.has(name.toLowerCase())),
  );
  const fixed: Answer = { status: answer.status, headers, body: answer.body };
  return () => fixed;
}

const FRAMING = new Set([
  "date",
  "connection",
  "keep-alive",
  "content-length",
  "transfer-encoding",
]);

/** The handler of `stage` (see Stage); the partial ones answer `answer`. */
function stageHandler(
  stage: Stage,
  deps: WebhookDeps,
  answer: FixedAnswer | undefined,
): (req: IncomingMessage, res: ServerResponse) => void {
  if (stage === "app") return createWebhookApp(deps);
  if (answer === undefined) throw new Error(`stage ${stage} needs the answer to send`);
  if (stage === "floor" || stage === "lean") return floorHandler({ "/authenticate": answer });
  return (req, res) =>
    readBodyText(req, AUTHENTICATE_BODY_LIMIT, (body) => {
      const scanned =
        stage === "decide" && body.ok && body.text !== undefined
          ? scanTokenReview(body.text)
          : undefined;
      const decision =
        scanned && runAuthentication(deps, "authenticate", scanned.token, scanned.audiences);
      const text =
        scanned && decision ? tokenReviewResponseJson(decision, scanned.apiVersion) : answer.body;
      sendAnswer(res, { status: answer.status, headers: UNCACHED_JSON_HEADERS, body: text });
    });
}

/** The floor's handler: read the body to its end, answer the route's fixed answer. */
function floorHandler(
  answers: Record<string, FixedAnswer>,
  workMicros = 0,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const answer = answers[(req.url ?? "").split("?")[0] ?? ""];
    req.on("data", () => undefined);
    req.on("end", () => {
      if (workMicros > 0) busyFor(workMicros);
      if (answer === undefined) res.writeHead(404).end();
      else res.writeHead(answer.status, answer.headers).end(answer.body);
    });
  };
}

/** Keeps the thread busy for `micros` µs (no allocation, no I/O). */
function busyFor(micros: number): void {
  const until = performance.now() + micros / 1000;
  while (performance.now() < until) {
    // spin
  }
}

async function startFloor(order: Extract<ServerOrder, { mode: "floor" }>): Promise<ServerReady> {
  const server = createServer(
    { cert: order.certPem, key: order.keyPem },
    floorHandler(order.answers, order.workMicros),
  );
  server.keepAliveTimeout = 100_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as AddressInfo).port, ...readMemory() };
}

process.on("message", (order: ServerOrder) => {
  // A normal exit, so `--cpu-prof` writes the profile.
  if (order.mode === "exit") process.exit(0);
  if (order.mode === "cpu") {
    const { user, system } = process.cpuUsage();
    const thread = process.threadCpuUsage();
    process.send?.({
      cpuMicros: user + system,
      threadMicros: thread.user + thread.system,
    } satisfies ServerCpu);
    return;
  }
  const start =
    order.mode === "memory"
      ? Promise.resolve({ port: 0, ...readMemory() })
      : order.mode === "product"
        ? startProduct(order)
        : startFloor(order);
  start.then(
    (ready) => process.send?.(ready),
    (error: unknown) => {
      process.stderr.write(`bench server failed: ${String(error)}\n`);
      process.exit(1);
    },
  );
});
