// A secondary index over a cache: index key → the object keys filed under it.
import { MultiMap } from "./multi-map.ts";

/**
 * Files each object key under at most one index key; kept current from informer events. A lone
 * member is kept as the string itself (MultiMap): 100k keys cost 100k strings, not 100k Sets.
 */
export class SecondaryIndex {
  readonly #byIndexKey = new MultiMap<string>();
  readonly #indexKeyOf = new Map<string, string>();

  /** Files `objectKey` under `indexKey` (undefined: under nothing), replacing where it was. */
  set(objectKey: string, indexKey: string | undefined): void {
    this.delete(objectKey);
    if (indexKey === undefined) return;
    this.#indexKeyOf.set(objectKey, indexKey);
    this.#byIndexKey.add(indexKey, objectKey);
  }

  delete(objectKey: string): void {
    const indexKey = this.#indexKeyOf.get(objectKey);
    if (indexKey === undefined) return;
    this.#indexKeyOf.delete(objectKey);
    this.#byIndexKey.remove(indexKey, objectKey);
  }

  /** Object keys filed under `indexKey`. */
  get(indexKey: string): readonly string[] {
    return this.#byIndexKey.get(indexKey);
  }
}
