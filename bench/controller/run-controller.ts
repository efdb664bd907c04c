// A controller in a process of its own, so its RSS is its own: started by controller-scale.ts,
// it leads, waits until idle, reports its figures over IPC and stops. It runs the controller as
// the container does: the JS that `npm run build` compiled (DIST, the image's dist/), with the
// heap flags its 512Mi limit gives it (set by the parent); only this file is type-stripped.
// `node --expose-gc [heap flags] bench/controller/run-controller.ts KUBECONFIG NAME DIST [SNAPSHOT]`
// SNAPSHOT: a path to write a heap snapshot to once idle (after a full GC).
import { join } from "node:path";
import { writeHeapSnapshot } from "node:v8";
import { pino } from "pino";
import type * as ControllerModule from "../../src/controller/controller.ts";
import type * as ClusterAccessModule from "../../src/k8s/cluster-access.ts";
import { readMemory } from "../webhook/memory.ts";
import {
  rssBreakdown,
  rssMb as rssOfThisProcessMb,
  writesByVerb,
  type RssBreakdown,
} from "./process-figures.ts";

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
  /** After a memory-reducing GC (what V8 does by itself once the process idles a while). */
  rssReducedMb: number;
  /** Where RSS is after the memory-reducing GC. */
  reducedBreakdown: RssBreakdown;
  writes: [string, number][];
  tokens: number;
  /** Ready as its probe asks, and the caches without an open watch at that moment. */
  ready: boolean;
  unwatched: string[];
}

/** The namespace bench/controller/cluster.ts creates (not imported: that module is heavy). */
const OPERATOR_NAMESPACE = "svctokens-system";

const [kubeconfig = "", name = "scale", dist = "", snapshot] = process.argv.slice(2);
const { Controller } = (await import(
  join(dist, "controller/controller.js")
)) as typeof ControllerModule;
const { loadClusterAccess } = (await import(
  join(dist, "k8s/cluster-access.js")
)) as typeof ClusterAccessModule;

const started = performance.now();
const controller = new Controller({
  kubeConfig: loadClusterAccess({ kubeconfig }),
  operatorNamespace: OPERATOR_NAMESPACE,
  identity: name,
  resyncMs: 3_600_000,
  concurrency: 8,
  log: pino({ level: "silent" }),
  // As src/controller/main.ts wires it.
  processMetrics: true,
});
controller.start();
await controller.caches.synced();
const syncedMs = performance.now() - started;
while (!controller.isLeader()) await new Promise((resolve) => setTimeout(resolve, 10));
await controller.whenIdle();
// A turn, so that what the controller does once its first pass ended (a compaction) is done.
await new Promise((resolve) => setImmediate(resolve));
const idleMs = performance.now() - started;
const rssMb = await rssOfThisProcessMb();
const heapUsedMb = process.memoryUsage().heapUsed / 1024 / 1024;
const memory = readMemory();
const usage = process.memoryUsage();
const report: ControllerRunReport = {
  syncedMs,
  idleMs,
  rssMb,
  heapUsedMb,
  rssAfterGcMb: memory.rssMb,
  heapUsedAfterGcMb: memory.heapUsedMb,
  heapTotalAfterGcMb: usage.heapTotal / 1024 / 1024,
  externalAfterGcMb: usage.external / 1024 / 1024,
  rssReducedMb: memory.reducedRssMb,
  reducedBreakdown: await rssBreakdown(),
  writes: [...(await writesByVerb(controller.metrics))],
  tokens: controller.caches.tokens.size,
  ready: controller.isReady(),
  unwatched: Object.entries({
    users: controller.caches.users,
    tokens: controller.caches.tokens,
    deliverySecrets: controller.caches.deliverySecrets,
    hashRecords: controller.caches.hashRecords,
    namespaces: controller.caches.namespaces,
    teamBindings: controller.caches.teamBindings,
  })
    .filter(([, informer]) => informer.staleForMs() > 0)
    .map(([name]) => name),
};
if (snapshot) writeHeapSnapshot(snapshot);
await controller.stop();
// Run by hand (no IPC channel): print the report.
if (process.send) process.send(report, () => process.exit(0));
else process.stdout.write(`${JSON.stringify(report, undefined, 2)}\n`, () => process.exit(0));
