// How the webhook benchmarks read memory, and the heap the webhook process gets in its container.

/**
 * V8's heap sizes for the webhook's container: deploy/manifests/webhook.yaml limits it to 512Mi,
 * and Node sizes its heap from that limit (old generation: a quarter of it, times two on 64-bit;
 * young generation: a 1 MB semi-space for such a small heap). A benchmark process has no such
 * limit: on a machine with gigabytes free, Node lets the young generation grow to 64 MB per
 * semi-space while the informers list, and keeps those pages. These flags give the benchmark's
 * webhook the sizes it has when deployed; `--heap default` measures without them. Both servers
 * also run with `--expose-gc`, as the deployed webhook does (it compacts once after its first
 * sync, docs/decisions.md record 70; `readMemory` needs it too).
 */
export const DEPLOYED_HEAP_FLAGS = ["--max-old-space-size=256", "--max-semi-space-size=1"];

/** Memory of this process, in MB. */
export interface MemoryReading {
  /** After a full GC (what `global.gc()` does). */
  rssMb: number;
  heapUsedMb: number;
  /**
   * After a memory-reducing GC, which also returns pooled pages and shrinks the young
   * generation: what V8's memory reducer does by itself once the process has been idle for a
   * while (observed ~100 s after a sync of 10,000 tokens).
   */
  reducedRssMb: number;
}

const mb = (bytes: number): number => Math.round(bytes / 1024 / 1024);

type Gc = (options?: { type: "major"; execution: "sync"; flavor: "last-resort" }) => void;

/** Reads memory after a full GC, then after a memory-reducing one (needs --expose-gc). */
export function readMemory(): MemoryReading {
  const gc = globalThis.gc as Gc | undefined;
  gc?.();
  const usage = process.memoryUsage();
  gc?.({ type: "major", execution: "sync", flavor: "last-resort" });
  return {
    rssMb: mb(usage.rss),
    heapUsedMb: mb(usage.heapUsed),
    reducedRssMb: mb(process.memoryUsage().rss),
  };
}
