// A secondary index over a cache: index key → the object keys filed under it.

/** Files each object key under at most one index key; kept current from informer events. */
export class SecondaryIndex {
  readonly #byIndexKey = new Map<string, Set<string>>();
  readonly #indexKeyOf = new Map<string, string>();

  /** Files `objectKey` under `indexKey` (undefined: under nothing), replacing where it was. */
  set(objectKey: string, indexKey: string | undefined): void {
    this.delete(objectKey);
    if (indexKey === undefined) return;
    this.#indexKeyOf.set(objectKey, indexKey);
    let members = this.#byIndexKey.get(indexKey);
    if (!members) this.#byIndexKey.set(indexKey, (members = new Set()));
    members.add(objectKey);
  }

  delete(objectKey: string): void {
    const indexKey = this.#indexKeyOf.get(objectKey);
    if (indexKey === undefined) return;
    this.#indexKeyOf.delete(objectKey);
    const members = this.#byIndexKey.get(indexKey);
    members?.delete(objectKey);
    if (members?.size === 0) this.#byIndexKey.delete(indexKey);
  }

  /** Object keys filed under `indexKey`. */
  get(indexKey: string): readonly string[] {
    const members = this.#byIndexKey.get(indexKey);
    return members ? [...members] : [];
  }
}
