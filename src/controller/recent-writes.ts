// Read your own writes. A reconcile that runs again right after its own write (the write's
// watch event re-queued the key) may find the cache one step behind and repeat the write. The
// object each write returned is kept until the cache has caught up with it (client-go's
// MutationCache does the same for its ServiceAccount token controller).
import { objectKey, type KubeObject } from "../k8s/object.ts";
import type { InformerEvent } from "../k8s/informer.ts";

/**
 * Which of two versions of one object is newer: `written` when its resourceVersion is a larger
 * integer than `cached`'s, else `cached`. resourceVersions are etcd revisions; anything that is
 * not an integer falls back to the cache, which is what the controller would read anyway.
 */
export function newerOf(
  cached: KubeObject | undefined,
  written: KubeObject | undefined,
): KubeObject | undefined {
  if (written === undefined || cached === undefined) return cached;
  const a = revision(cached);
  const b = revision(written);
  return a !== undefined && b !== undefined && b > a ? written : cached;
}

function revision(object: KubeObject): bigint | undefined {
  const text = object.metadata?.resourceVersion;
  return text !== undefined && /^\d+$/.test(text) ? BigInt(text) : undefined;
}

/** The objects the controller last wrote, per key, until the cache holds them or newer. */
export class RecentWrites {
  readonly #written = new Map<string, KubeObject>();

  /** Keeps what a write returned. */
  remember(object: KubeObject): void {
    this.#written.set(objectKey(object), object);
  }

  /** Feed every cache event: a remembered object is dropped once the cache caught up. */
  observe(event: InformerEvent<KubeObject>): void {
    const key = objectKey(event.object);
    const written = this.#written.get(key);
    if (written === undefined) return;
    if (event.type === "delete" || newerOf(event.object, written) !== written) {
      this.#written.delete(key);
    }
  }

  /** The newer of the cached object and what we last wrote (a deleted object stays deleted). */
  freshest(key: string, cached: KubeObject | undefined): KubeObject | undefined {
    return newerOf(cached, this.#written.get(key));
  }

  get size(): number {
    return this.#written.size;
  }
}
