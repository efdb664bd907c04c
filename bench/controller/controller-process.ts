// Runs bench/controller/run-controller.ts in a process of its own, as the container runs the
// controller (the compiled JS, the heap flags of its 512Mi limit), and prints what it reports.
import { fork } from "node:child_process";
import { join } from "node:path";
import { DEPLOYED_HEAP_FLAGS } from "../webhook/memory.ts";
import { say } from "./cluster.ts";
import { deployedControllerMallocEnv } from "./deployed-env.ts";
import type { ControllerRunReport } from "./run-controller.ts";

/** Starts a controller named `name` over the cluster of `kubeconfig`; resolves with its figures. */
export async function runControllerProcess(options: {
  kubeconfig: string;
  name: string;
  /** The compiled dist/ (`npm run build`). */
  dist: string;
  /** A directory to write a heap snapshot into once idle. */
  snapshotDir?: string | undefined;
  /** Without the manifest's MALLOC_* environment (glibc's defaults), to compare. */
  mallocDefaults?: boolean;
}): Promise<ControllerRunReport> {
  const script = new URL("./run-controller.ts", import.meta.url).pathname;
  const { snapshotDir, name } = options;
  const snapshot = snapshotDir ? [join(snapshotDir, `controller-${name}.heapsnapshot`)] : [];
  const child = fork(script, [options.kubeconfig, name, options.dist, ...snapshot], {
    stdio: "inherit",
    // As in the container (bench/webhook/memory.ts); --expose-gc for the after-GC figures.
    execArgv: ["--expose-gc", ...DEPLOYED_HEAP_FLAGS],
    env: options.mallocDefaults
      ? process.env
      : { ...process.env, ...deployedControllerMallocEnv() },
  });
  return new Promise((resolve, reject) => {
    child.once("message", (message) => resolve(message as ControllerRunReport));
    child.once("exit", (code) => reject(new Error(`controller ${name} exited with ${code}`)));
  });
}

/** The writes of a run, summed. */
export const writesOf = (run: ControllerRunReport): number =>
  run.writes.reduce((sum, [, n]) => sum + n, 0);

/** Prints one run's figures under the heading `what`. */
export function printControllerRun(what: string, run: ControllerRunReport): void {
  say(`${what}: ${run.tokens} tokens cached`);
  say(
    `  caches synced after ${(run.syncedMs / 1000).toFixed(1)} s, idle after ${(run.idleMs / 1000).toFixed(1)} s`,
  );
  say(
    `  RSS ${run.rssMb.toFixed(0)} MB (JS heap used ${run.heapUsedMb.toFixed(0)} MB); after a full GC ${run.rssAfterGcMb.toFixed(0)} MB (heap ${run.heapUsedAfterGcMb.toFixed(0)} of ${run.heapTotalAfterGcMb.toFixed(0)} MB, external ${run.externalAfterGcMb.toFixed(0)} MB); after a memory-reducing GC ${run.rssReducedMb.toFixed(0)} MB`,
  );
  const { anonMb, fileMb, brkMb } = run.reducedBreakdown;
  say(
    `  of which anonymous ${anonMb.toFixed(0)} MB (malloc's main arena ${brkMb.toFixed(0)} MB), mapped files ${fileMb.toFixed(0)} MB`,
  );
  const unwatched = run.unwatched.length ? `; no watch open: ${run.unwatched.join(", ")}` : "";
  say(`  ready ${run.ready}${unwatched}`);
  say(`  writes ${writesOf(run)}${run.writes.map(([key, n]) => `; ${key} ${n}`).join("")}`);
}
