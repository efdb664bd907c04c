// A controller in a process of its own, so its RSS is its own: started by controller-scale.ts,
// it leads, waits until idle, reports its figures over IPC and stops.
// `node bench/controller/run-controller.ts KUBECONFIG NAME`.
import { pino } from "pino";
import { Controller } from "../../src/controller/controller.ts";
import { loadKubeConfig } from "../../src/k8s/kubeconfig.ts";
import { OPERATOR_NAMESPACE, rssMb, writesByVerb } from "./cluster.ts";

/** What the process reports. */
export interface ControllerRunReport {
  syncedMs: number;
  idleMs: number;
  rssMb: number;
  heapUsedMb: number;
  /** After a full garbage collection: what the caches really hold. */
  rssAfterGcMb: number;
  heapUsedAfterGcMb: number;
  /** Committed V8 heap and memory outside it (Buffers), after the GC: where RSS goes. */
  heapTotalAfterGcMb: number;
  externalAfterGcMb: number;
  writes: [string, number][];
  tokens: number;
}

const [kubeconfig = "", name = "scale"] = process.argv.slice(2);
const started = performance.now();
const controller = new Controller({
  kubeConfig: loadKubeConfig(kubeconfig),
  operatorNamespace: OPERATOR_NAMESPACE,
  identity: name,
  resyncMs: 3_600_000,
  concurrency: 8,
  log: pino({ level: "silent" }),
});
controller.start();
await controller.caches.synced();
const syncedMs = performance.now() - started;
while (!controller.isLeader()) await new Promise((resolve) => setTimeout(resolve, 10));
await controller.whenIdle();
const idleMs = performance.now() - started;
const report: ControllerRunReport = {
  syncedMs,
  idleMs,
  rssMb: await rssMb(),
  heapUsedMb: process.memoryUsage().heapUsed / 1024 / 1024,
  ...(await afterGc()),
  writes: [...(await writesByVerb(controller.metrics))],
  tokens: controller.caches.tokens.size,
};
await controller.stop();

async function afterGc(): Promise<
  Pick<
    ControllerRunReport,
    "rssAfterGcMb" | "heapUsedAfterGcMb" | "heapTotalAfterGcMb" | "externalAfterGcMb"
  >
> {
  // Started with --expose-gc by controller-scale.ts.
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((resolve) => setTimeout(resolve, 500));
  return {
    rssAfterGcMb: await rssMb(),
    heapUsedAfterGcMb: process.memoryUsage().heapUsed / 1024 / 1024,
    heapTotalAfterGcMb: process.memoryUsage().heapTotal / 1024 / 1024,
    externalAfterGcMb: process.memoryUsage().external / 1024 / 1024,
  };
}
process.send?.(report, () => process.exit(0));
