// The plain-HTTP probe and metrics endpoints of both processes (controller and webhook
// service): /healthz, /readyz (caches synced) and /metrics, on a port of their own. The
// webhook's HTTPS port never serves them: what it exposes there is only for kube-apiserver and
// gateways, and metrics are for the monitoring namespace (NetworkPolicy) only.
import { createServer, type Server } from "node:http";
import { Gauge, type Registry } from "prom-client";

/** What the endpoints report on. */
export interface HealthSource {
  isReady(): boolean;
  registry: Registry;
  /** Refreshes gauges computed from caches just before a scrape. */
  beforeScrape?: () => void;
}

/** 1 while /readyz says ready (caches synced and current): the "caches not synced" alert. */
export const READY_METRIC = "svctokens_ready";

/** Registers the readiness gauge on the source's registry (once per registry). */
function registerReadyGauge(source: HealthSource): void {
  if (source.registry.getSingleMetric(READY_METRIC)) return;
  new Gauge({
    name: READY_METRIC,
    help: "1 while this process is ready (/readyz): its caches have synced and are current.",
    registers: [source.registry],
    collect() {
      this.set(source.isReady() ? 1 : 0);
    },
  });
}

/** Starts the server on `port` (0: any free port); resolves once listening. */
export async function startHealthServer(
  source: HealthSource,
  port: number,
  host = "0.0.0.0",
): Promise<Server> {
  registerReadyGauge(source);
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET") {
      res.writeHead(405).end("method not allowed\n");
    } else if (path === "/healthz") {
      res.writeHead(200, { "Content-Type": "text/plain" }).end("ok\n");
    } else if (path === "/readyz") {
      const ready = source.isReady();
      res
        .writeHead(ready ? 200 : 503, { "Content-Type": "text/plain" })
        .end(ready ? "ok\n" : "caches not synced\n");
    } else if (path === "/metrics") {
      source.beforeScrape?.();
      source.registry.metrics().then(
        (text) => res.writeHead(200, { "Content-Type": source.registry.contentType }).end(text),
        () => res.writeHead(500).end("metrics unavailable\n"),
      );
    } else {
      res.writeHead(404).end("not found\n");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  return server;
}
