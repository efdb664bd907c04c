// A secondary index without a reverse map: index key → object keys, checked against the cache
// when read. SecondaryIndex keeps object key → index key besides, to move or drop an object;
// at 100k tokens that is a map entry per token and index (~40 B each). Here the events say
// where an object is filed (an upsert its new index key, a deletion its last one), and a read
// keeps only the members whose object the cache still files under the key it was asked for,
// dropping the others: an object that moved, or one gone without its deletion being seen
// under that key.
import { MultiMap } from "./multi-map.ts";

/** Index key → object keys, for index keys that an object rarely or never changes. */
export class CheckedIndex {
  readonly #byIndexKey = new MultiMap<string>();
  readonly #indexKeyOf: (objectKey: string) => string | undefined;

  /** `indexKeyOf`: where the cache files the object at `objectKey` now (undefined: nowhere). */
  constructor(indexKeyOf: (objectKey: string) => string | undefined) {
    this.#indexKeyOf = indexKeyOf;
  }

  /** Files `objectKey` under `indexKey` (an upsert's; undefined: under nothing new). */
  add(objectKey: string, indexKey: string | undefined): void {
    if (indexKey !== undefined) this.#byIndexKey.add(indexKey, objectKey);
  }

  /** Takes `objectKey` from under `indexKey` (a deleted object's last index key). */
  remove(objectKey: string, indexKey: string | undefined): void {
    if (indexKey !== undefined) this.#byIndexKey.remove(indexKey, objectKey);
  }

  /** Object keys the cache files under `indexKey` now; members filed elsewhere are dropped. */
  get(indexKey: string): string[] {
    const members = this.#byIndexKey.get(indexKey);
    const current = members.filter((member) => this.#indexKeyOf(member) === indexKey);
    if (current.length !== members.length) {
      for (const member of members) {
        if (!current.includes(member)) this.#byIndexKey.remove(indexKey, member);
      }
    }
    return current;
  }
}
