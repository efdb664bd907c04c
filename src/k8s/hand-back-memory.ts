// One compacting GC after a process's caches first synced (decision records 70 and 71).

type Gc = (options: { type: "major"; execution: "sync"; flavor: "last-resort" }) => void;

/**
 * Hands back what the first list borrowed. Its pages die in the old generation among the
 * objects kept, and V8 keeps the half-empty pages (~40 MB at 100k tokens in the webhook) until
 * its memory reducer runs when the process idles, which a busy process may never do. One
 * compacting GC once the caches first synced returns them (a pause of a few hundred ms, once, at
 * startup). Later relists replace few objects, so their garbage dies alone. `gc` exists when
 * node runs with --expose-gc, as deploy/manifests starts both processes; without it this does
 * nothing.
 */
export function handBackListingMemory(): void {
  (globalThis.gc as Gc | undefined)?.({ type: "major", execution: "sync", flavor: "last-resort" });
}
