// The webhook service of bench:webhook-scale, in a process of its own (so its RSS is its own):
// started on the port the control plane's token authenticator calls, with its real informers
// listing everything the parent created; reports the sync time and memory, then serves.
import { performance } from "node:perf_hooks";
import { pino } from "pino";
import type { ControlPlaneInfo } from "../../src/devenv/identities.ts";
import { startLocalWebhook } from "../../src/devenv/local-operator.ts";

/** What the service reports once its caches have synced. */
export interface ScaleWebhookReady {
  syncMs: number;
  rssMb: number;
  heapUsedMb: number;
  sizes: Record<string, number>;
}

process.once("message", (info: ControlPlaneInfo) => {
  const started = performance.now();
  startLocalWebhook(info, { log: pino({ level: "warn" }) }).then(
    (webhook) => {
      const syncMs = performance.now() - started;
      globalThis.gc?.();
      const usage = process.memoryUsage();
      const ready: ScaleWebhookReady = {
        syncMs,
        rssMb: Math.round(usage.rss / 1048576),
        heapUsedMb: Math.round(usage.heapUsed / 1048576),
        sizes: webhook.service.caches.facts.sizes(),
      };
      process.send?.(ready);
    },
    (error: unknown) => {
      process.stderr.write(`webhook failed: ${String(error)}\n`);
      process.exit(1);
    },
  );
});
