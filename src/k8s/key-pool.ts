// One `namespace/name` string per cached object, shared by everything that files it: the
// informer's store, secondary indexes and work queues. Each `${namespace}/${name}` built per
// structure is a string of its own (and a flat copy once a Map hashes it): at 100k tokens, four
// copies of every key (docs/decisions.md record 72).
import { objectKey, type KubeObject } from "./object.ts";

/** The keys of the objects one informer holds, each kept once. */
export class KeyPool {
  readonly #keys = new Map<string, string>();

  /** The pooled key of `object`, pooling it if it is new (the informer's `keyOf`). */
  keyOf(object: KubeObject): string {
    const key = objectKey(object);
    const known = this.#keys.get(key);
    if (known !== undefined) return known;
    // A flat copy: the built key is a rope over the object's own name and namespace strings.
    const flat = Buffer.from(key).toString();
    this.#keys.set(flat, flat);
    return flat;
  }

  /** The pooled copy of `key` if the object is held, else `key` itself (nothing is pooled). */
  known(key: string): string {
    return this.#keys.get(key) ?? key;
  }

  /** Forgets the key of an object the informer no longer holds. */
  release(key: string): void {
    this.#keys.delete(key);
  }

  get size(): number {
    return this.#keys.size;
  }
}
