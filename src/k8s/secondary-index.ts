// A secondary index over a cache: index key → the object keys filed under it.

/**
 * Files each object key under at most one index key; kept current from informer events. Most
 * index keys hold one object (a token hash, a token id), so a lone member is kept as the
 * string itself and a Set is made only for the second: 100k keys cost 100k strings, not 100k Sets.
 */
export class SecondaryIndex {
  readonly #byIndexKey = new Map<string, string | Set<string>>();
  readonly #indexKeyOf = new Map<string, string>();

  /** Files `objectKey` under `indexKey` (undefined: under nothing), replacing where it was. */
  set(objectKey: string, indexKey: string | undefined): void {
    this.delete(objectKey);
    if (indexKey === undefined) return;
    this.#indexKeyOf.set(objectKey, indexKey);
    const members = this.#byIndexKey.get(indexKey);
    if (members === undefined) this.#byIndexKey.set(indexKey, objectKey);
    else if (typeof members === "string") {
      this.#byIndexKey.set(indexKey, new Set([members, objectKey]));
    } else members.add(objectKey);
  }

  delete(objectKey: string): void {
    const indexKey = this.#indexKeyOf.get(objectKey);
    if (indexKey === undefined) return;
    this.#indexKeyOf.delete(objectKey);
    const members = this.#byIndexKey.get(indexKey);
    if (typeof members === "string") {
      this.#byIndexKey.delete(indexKey);
      return;
    }
    members?.delete(objectKey);
    const [only, ...others] = members ?? [];
    if (only === undefined) this.#byIndexKey.delete(indexKey);
    else if (others.length === 0) this.#byIndexKey.set(indexKey, only);
  }

  /** Object keys filed under `indexKey`. */
  get(indexKey: string): readonly string[] {
    const members = this.#byIndexKey.get(indexKey);
    if (members === undefined) return [];
    return typeof members === "string" ? [members] : [...members];
  }
}
