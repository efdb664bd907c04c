// Figures read inside a controller's process: its RSS and the writes it made. Cheap imports
// only, so the process a benchmark measures loads nothing but the controller.
import { readFile } from "node:fs/promises";
import type { ControllerMetrics } from "../../src/controller/metrics.ts";

/** Writes (POST, PUT, PATCH, DELETE) the controller made, keyed `VERB resource`. */
export async function writesByVerb(metrics: ControllerMetrics): Promise<Map<string, number>> {
  const writes = new Map<string, number>();
  for (const sample of (await metrics.apiRequests.get()).values) {
    const verb = String(sample.labels.verb);
    if (!["POST", "PUT", "PATCH", "DELETE"].includes(verb)) continue;
    const key = `${verb} ${String(sample.labels.resource)}`;
    writes.set(key, (writes.get(key) ?? 0) + sample.value);
  }
  return writes;
}

/** Resident set size of this process (or of `pid`), in MB, from /proc. */
export async function rssMb(pid: number | "self" = "self"): Promise<number> {
  const status = await readFile(`/proc/${String(pid)}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** Where this process's resident memory is, in MB (from /proc): what the JS heap does not explain. */
export interface RssBreakdown {
  /** Anonymous memory: V8's heap, malloc, thread stacks. */
  anonMb: number;
  /** Mapped files: the node binary's code and data, shared libraries. */
  fileMb: number;
  /** malloc's main arena (the `[heap]` mapping, grown by brk). */
  brkMb: number;
}

export async function rssBreakdown(): Promise<RssBreakdown> {
  const status = await readFile("/proc/self/status", "utf8");
  const kb = (field: string): number =>
    Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  const smaps = await readFile("/proc/self/smaps", "utf8");
  const brk = /\[heap\]\n(?:.*\n)*?Rss:\s+(\d+)/.exec(smaps);
  return {
    anonMb: kb("RssAnon") / 1024,
    fileMb: kb("RssFile") / 1024,
    brkMb: Number(brk?.[1] ?? 0) / 1024,
  };
}
