// Scratch benchmark (not a test): what one warm /authenticate costs per step in one process,
// through the product's own functions over the product's caches (the synthetic listing of
// bench:webhook), with no HTTP around it: time per call of each step alone over `--calls`
// calls (2,000 tokens cycled, as the load client does), and bytes allocated per call (the heap
// grown over a run with the young generation large enough that no GC runs inside it).
// `node --expose-gc --max-semi-space-size=256 bench/webhook/hot-path-steps.ts [--tokens 10000] [--calls 100000]`
import { performance, PerformanceObserver } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { pino } from "pino";
import { WebhookCaches } from "../../src/webhook/cache/caches.ts";
import { useBookkeeping } from "../../src/webhook/use-bookkeeping.ts";
import { scanTokenReview } from "../../src/webhook/authn/token-review-scan.ts";
import { tokenReviewResponseJson } from "../../src/webhook/authn/token-review.ts";
import { decideAuthentication } from "../../src/webhook/authn/decide.ts";
import type { WebhookDeps } from "../../src/webhook/http/deps.ts";
import { runAuthentication } from "../../src/webhook/http/routes/run-authentication.ts";
import { createWebhookMetrics } from "../../src/webhook/metrics.ts";
import { hashToken, isWellFormedToken } from "../../src/tokens/index.ts";
import { requestsFor } from "./harness.ts";
import type { TLSSocket } from "node:tls";
import { formatAnswer } from "../../src/webhook/http/lean/format-answer.ts";
import { leanRoutes } from "../../src/webhook/http/lean/lean-routes.ts";
import { parseLeanRequest, type LeanRequest } from "../../src/webhook/http/lean/parse-request.ts";
import { UNCACHED_JSON_HEADERS } from "../../src/webhook/http/http-errors.ts";
import { OPERATOR_NAMESPACE, tokenValue } from "./synthetic-cluster.ts";
import { syntheticApi } from "./synthetic-api.ts";

const { values: args } = parseArgs({
  options: {
    tokens: { type: "string", default: "10000" },
    calls: { type: "string", default: "100000" },
  },
});
const calls = Number(args.calls);
const log = pino({ level: "info" }, pino.destination({ dest: "/dev/null", sync: false }));
const caches = new WebhookCaches({
  rest: syntheticApi(Number(args.tokens)),
  namespace: OPERATOR_NAMESPACE,
  relistIntervalMs: 3_600_000,
  log,
});
caches.start();
await caches.synced();
const metrics = createWebhookMetrics(false);
// The service's wiring of the success log and last used (record 91); no writes leave.
const { hooks, successLog } = useBookkeeping({
  facts: caches.facts,
  freshness: { isLagging: () => false },
  log,
  httpLog: log,
  metrics,
  lastUsedFlushMs: 60_000,
  writeLastUsed: () => Promise.resolve(),
});
const deps = {
  facts: caches.facts,
  ...hooks,
  metrics,
  log,
  now: () => new Date(),
} as Partial<WebhookDeps> as WebhookDeps;

// Bodies as the route reads them: bytes decoded by a TextDecoder (flat strings, not slices).
const decoder = new TextDecoder("utf-8");
const bodyBytes = requestsFor("/authenticate", Number(args.tokens)).map((raw) =>
  Buffer.from(raw.split("\r\n\r\n")[1] ?? ""),
);
const bodies = bodyBytes.map((bytes) => decoder.decode(bytes));
const reviews = bodies.map((body) => {
  const scanned = scanTokenReview(body);
  if (scanned === undefined) throw new Error("the bench's body did not scan");
  return scanned;
});
const tokens = reviews.map((review) => review.token);
// The lean routes' view: whole requests as bytes, as the TLS socket hands them over.
const LEAN_LIMITS = { maxHeadBytes: 16 * 1024, maxBodyBytes: 64 * 1024 };
const requestBytes = requestsFor("/authenticate", Number(args.tokens)).map((raw) =>
  Buffer.from(raw),
);
const leanRequests = requestBytes.map((bytes) => {
  const parsed = parseLeanRequest(bytes, LEAN_LIMITS);
  if (parsed.kind !== "request") throw new Error("the bench's request did not parse lean");
  return parsed.request;
});
const respond = leanRoutes({
  ...deps,
  hasSynced: () => true,
  requireClientCertificate: false,
  allowedClientNames: [],
});
const socket = {} as TLSSocket;
const hashes = tokens.map((token) => hashToken(token));
const decisions = reviews.map((review) =>
  runAuthentication(deps, "authenticate", review.token, review.audiences),
);
if (decisions.some((decision) => decision?.authenticated !== true)) {
  throw new Error("a bench token did not authenticate");
}
const now = new Date();

let sink: unknown;
const steps: Record<string, (i: number) => unknown> = {
  "decode body": (i) => decoder.decode(bodyBytes[i] ?? Buffer.alloc(0)),
  "scan body": (i) => scanTokenReview(bodies[i] ?? ""),
  "well-formed check": (i) => isWellFormedToken(tokens[i] ?? ""),
  "sha-256": (i) => hashToken(tokens[i] ?? ""),
  "records by hash": (i) => caches.facts.recordsByHash(hashes[i] ?? "sha256:"),
  "decideAuthentication (all of the above but scan)": (i) =>
    decideAuthentication(tokens[i] ?? "", [], caches.facts, now),
  "runAuthentication (decide, metrics, success log)": (i) =>
    runAuthentication(deps, "authenticate", tokens[i] ?? "", []),
  "duration observation (deferred, its folds included)": (i) =>
    metrics.authenticationSeries.authenticate.seconds.observe(i * 1e-6),
  "success log note": (i) => {
    const decision = decisions[i];
    if (decision?.authenticated !== true) return undefined;
    return successLog.note({
      endpoint: "authenticate",
      tokenId: decision.tokenId,
      serviceToken: decision.tokenKey,
      serviceUser: decision.serviceUser,
      audiences: decision.audiences,
    });
  },
  "answer JSON": (i) => {
    const decision = decisions[i];
    return decision && tokenReviewResponseJson(decision, reviews[i]?.apiVersion);
  },
  "lean: parse request bytes": (i) => parseLeanRequest(requestBytes[i] as Buffer, LEAN_LIMITS),
  "lean: route (decode, scan, run, answer JSON)": (i) =>
    respond(leanRequests[i] as LeanRequest, socket),
  "lean: format answer": (i) => {
    const decision = decisions[i];
    const body = decision ? tokenReviewResponseJson(decision, reviews[i]?.apiVersion) : "";
    return formatAnswer({ status: 200, headers: UNCACHED_JSON_HEADERS, body }, 100);
  },
  "lean: request bytes → answer text (parse, route, format)": (i) => {
    const parsed = parseLeanRequest(requestBytes[i] as Buffer, LEAN_LIMITS);
    const answer = parsed.kind === "request" ? respond(parsed.request, socket) : undefined;
    return answer && formatAnswer(answer, 100);
  },
  "body → answer bytes (scan, run, answer, byteLength)": (i) => {
    const review = scanTokenReview(bodies[i] ?? "");
    if (review === undefined) return undefined;
    const decision = runAuthentication(deps, "authenticate", review.token, review.audiences);
    const text = decision && tokenReviewResponseJson(decision, review.apiVersion);
    return text && Buffer.byteLength(text);
  },
};

let gcs = 0;
let countFrom = Infinity;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (entry.startTime >= countFrom) gcs += 1;
}).observe({
  entryTypes: ["gc"],
});
const gc = (globalThis as { gc?: () => void }).gc ?? ((): void => undefined);

function run(step: (i: number) => unknown, count: number): number {
  const started = performance.now();
  for (let k = 0; k < count; k++) sink = step(k % bodies.length);
  return performance.now() - started;
}

for (const [name, step] of Object.entries(steps)) {
  for (let warm = 0; warm < 5; warm++) run(step, calls / 5);
  const times: number[] = [];
  for (let round = 0; round < 5; round++) times.push((run(step, calls) * 1000) / calls);
  times.sort((a, b) => a - b);
  // Bytes: a shorter run the young generation holds whole (no GC within it; checked).
  gc();
  await new Promise((resolve) => setImmediate(resolve));
  const before = process.memoryUsage().heapUsed;
  const gcsBefore = gcs;
  countFrom = performance.now();
  run(step, 10_000);
  const bytes = (process.memoryUsage().heapUsed - before) / 10_000;
  await new Promise((resolve) => setTimeout(resolve, 10));
  countFrom = Infinity;
  const clean = gcs === gcsBefore ? "" : " (a GC ran: bytes unreliable)";
  process.stdout.write(
    `${name.padEnd(56)} ${times[2]?.toFixed(2).padStart(7)} µs (min ${times[0]?.toFixed(2)})  ${bytes.toFixed(0).padStart(6)} B/call${clean}\n`,
  );
}
// A token's first request against its repeats: tokens the cycled ones leave out, each once.
const cycled = new Set(tokens);
const fresh: string[] = [];
for (let i = 0; i < Number(args.tokens) && fresh.length < 4000; i++) {
  const value = tokenValue(i);
  if (!cycled.has(value)) fresh.push(value);
}
const firstUse = (token: string): unknown => {
  const decision = runAuthentication(deps, "authenticate", token, []);
  return decision && tokenReviewResponseJson(decision, "authentication.k8s.io/v1");
};
const timeEach = (list: readonly string[], from: number, to: number): number => {
  const started = performance.now();
  for (let k = from; k < to; k++) sink = firstUse(list[k] ?? "");
  return ((performance.now() - started) * 1000) / (to - from);
};
// The first 1,000 warm the first-use path up (as --warm does in bench:webhook-scale).
timeEach(fresh, 0, 1000);
const cold = [timeEach(fresh, 1000, 2500), timeEach(fresh, 2500, 4000)];
const repeat = [timeEach(fresh, 1000, 2500), timeEach(fresh, 2500, 4000)];
process.stdout.write(
  `first use of a token (run + answer JSON, 2 × 1,500)         ${cold.map((t) => t.toFixed(2)).join(" / ")} µs; its repeat ${repeat.map((t) => t.toFixed(2)).join(" / ")} µs\n`,
);
void sink;
await caches.stop();
process.exit(0);
