// The webhook service of bench:webhook-scale, in a process of its own (so its RSS is its own):
// started on the port the control plane's token authenticator calls, with its real informers
// listing everything the parent created; reports the sync time and memory, then serves. Asked
// again, it reports how long it spent on each /authenticate request it served (from the
// request's headers parsed to the response handed to the socket), so the parent can tell the
// webhook's own time from kube-apiserver's round trip.
import { subscribe } from "node:diagnostics_channel";
import { ServerResponse, type IncomingMessage } from "node:http";
import { performance } from "node:perf_hooks";
import { pino } from "pino";
import type { ControlPlaneInfo } from "../../src/devenv/identities.ts";
import { startLocalWebhook } from "../../src/devenv/local-operator.ts";
import { readMemory, type MemoryReading } from "./memory.ts";

/** What the service reports once its caches have synced. */
export interface ScaleWebhookReady extends MemoryReading {
  syncMs: number;
  sizes: Record<string, number>;
}

/** Server-side times of the /authenticate requests served so far, in order (ms). */
export interface ScaleWebhookTimes {
  /** Headers parsed → answer handed to the socket. */
  authenticateMs: number[];
  /** Of that, headers parsed → body read to its end (the rest is our handler). */
  bodyMs: number[];
  /** Headers parsed → the answer's headers written (the rest is the socket's write). */
  answeredMs: number[];
}

interface RequestTimes {
  start: number;
  bodyEnd?: number;
  answered?: number;
}
const startedAt = new WeakMap<IncomingMessage, RequestTimes>();
const authenticateMs: number[] = [];
const bodyMs: number[] = [];
const answeredMs: number[] = [];
subscribe("http.server.request.start", (message) => {
  const { request } = message as { request: IncomingMessage };
  const times: RequestTimes = { start: performance.now() };
  startedAt.set(request, times);
  request.once("end", () => (times.bodyEnd = performance.now()));
});
// When the handler hands its answer over (every route answers with one writeHead).
const writeHead = Reflect.get(ServerResponse.prototype, "writeHead") as (
  this: ServerResponse,
  ...args: unknown[]
) => ServerResponse;
Reflect.set(
  ServerResponse.prototype,
  "writeHead",
  function (this: ServerResponse, ...args: unknown[]): ServerResponse {
    const times = startedAt.get(this.req);
    if (times !== undefined) times.answered ??= performance.now();
    return writeHead.apply(this, args);
  },
);
subscribe("http.server.response.finish", (message) => {
  const { request } = message as { request: IncomingMessage; response: ServerResponse };
  const times = startedAt.get(request);
  // kube-apiserver adds `?timeout=…`.
  if (times === undefined || request.url?.split("?")[0] !== "/authenticate") return;
  authenticateMs.push(performance.now() - times.start);
  bodyMs.push((times.bodyEnd ?? times.start) - times.start);
  answeredMs.push((times.answered ?? times.start) - times.start);
});

process.once("message", (info: ControlPlaneInfo) => {
  const started = performance.now();
  startLocalWebhook(info, { log: pino({ level: "warn" }) }).then(
    (webhook) => {
      const syncMs = performance.now() - started;
      const ready: ScaleWebhookReady = {
        syncMs,
        ...readMemory(),
        sizes: webhook.service.caches.facts.sizes(),
      };
      process.send?.(ready);
      process.on("message", () =>
        process.send?.({ authenticateMs, bodyMs, answeredMs } satisfies ScaleWebhookTimes),
      );
    },
    (error: unknown) => {
      process.stderr.write(`webhook failed: ${String(error)}\n`);
      process.exit(1);
    },
  );
});
