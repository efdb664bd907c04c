// The webhook service of bench:webhook-scale, in a process of its own (so its RSS is its own):
// started on the port the control plane's token authenticator calls, with its real informers
// listing everything the parent created; reports the sync time and memory, then serves. Asked
// again, it reports how long it spent on each /authenticate request it served (from the
// request's headers parsed, or its first bytes on the lean routes, to the response handed to
// the socket), so the parent can tell the webhook's own time from kube-apiserver's round trip. Started with `{ floor: info }` instead,
// it is the floor of that round trip: a bare node:https server on the same port and TLS files
// that answers every TokenReview "authenticated" at once.
import { subscribe } from "node:diagnostics_channel";
import { readFileSync } from "node:fs";
import { createServer } from "node:https";
import { join } from "node:path";
import { ServerResponse, type IncomingMessage } from "node:http";
import { performance } from "node:perf_hooks";
import { pino } from "pino";
import type { ControlPlaneInfo } from "../../src/devenv/identities.ts";
import { startLocalWebhook } from "../../src/devenv/local-operator.ts";
import { readMemory, type MemoryReading } from "./memory.ts";
import {
  LEAN_ANSWER_CHANNEL,
  type LeanAnswerTimes,
} from "../../src/webhook/http/lean/lean-connection.ts";

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

// The same three times for the requests the lean routes answer (most of them): from their first
// bytes' arrival, since no one parses their headers before.
subscribe(LEAN_ANSWER_CHANNEL, (message) => {
  const times = message as LeanAnswerTimes;
  if (times.path !== "/authenticate") return;
  authenticateMs.push(times.writtenAt - times.receivedAt);
  bodyMs.push(times.completedAt - times.receivedAt);
  answeredMs.push(times.answeredAt - times.receivedAt);
});

/** What the parent sends first: the control plane to serve, as the product or as the floor. */
export type ScaleWebhookStart = ControlPlaneInfo | { floor: ControlPlaneInfo };

/** The floor's answer: the request's apiVersion, authenticated, one fixed user. */
const floorAnswer = (body: string): string =>
  JSON.stringify({
    apiVersion: /"apiVersion":"([^"]+)"/.exec(body)?.[1] ?? "authentication.k8s.io/v1",
    kind: "TokenReview",
    status: { authenticated: true, user: { username: "bench-floor", groups: [] } },
  });

/** The floor webhook on the product's port, TLS files and client CA (the product has stopped). */
function startFloor(info: ControlPlaneInfo): void {
  const dir = join(info.dir, "webhook-tls");
  const server = createServer(
    {
      cert: readFileSync(join(dir, "tls.crt")),
      key: readFileSync(join(dir, "tls.key")),
      ca: readFileSync(info.webhookClientCaCertFile),
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (chunk: string) => (body += chunk));
      req.on("end", () => {
        const answer = floorAnswer(body);
        res.writeHead(200, {
          "Content-Type": "application/json",
          "Content-Length": Buffer.byteLength(answer),
        });
        res.end(answer);
      });
    },
  );
  server.keepAliveTimeout = 100_000;
  server.listen(info.webhookPort, "127.0.0.1", () => {
    process.send?.({ syncMs: 0, ...readMemory(), sizes: {} } satisfies ScaleWebhookReady);
    process.on("message", () =>
      process.send?.({ authenticateMs, bodyMs, answeredMs } satisfies ScaleWebhookTimes),
    );
  });
}

process.once("message", (start: ScaleWebhookStart) => {
  if ("floor" in start) {
    startFloor(start.floor);
    return;
  }
  const info = start;
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
