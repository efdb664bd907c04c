// The webhook service of bench:webhook-scale, in a process of its own (so its RSS is its own):
// started on the port the control plane's token authenticator calls, with its real informers
// listing everything the parent created; reports the sync time and memory, then serves.
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
    },
    (error: unknown) => {
      process.stderr.write(`webhook failed: ${String(error)}\n`);
      process.exit(1);
    },
  );
});
