// What an informer keeps of its objects: the objects (packed or not), or only their keys
// (informer-keys.ts). The informer asks it by key and, after a relist, for those gone.
import { InformerKeys } from "./informer-keys.ts";
import { flatObjectKey, type KubeObject } from "./object.ts";
import type { ObjectPacker, PackedObject } from "./packed-object.ts";

/** How a store keeps objects; see InformerOptions. */
export interface InformerStoreOptions {
  namespace?: string | undefined;
  keep?: "objects" | "keys" | { held: () => Iterable<KubeObject> } | undefined;
  keyOf?: ((object: KubeObject) => string) | undefined;
  packer?: ObjectPacker | undefined;
}

/** One informer's cache. */
export class InformerStore<T extends KubeObject> {
  /** Key → object (`keep: "objects"`), packed if a packer is given. */
  readonly #objects = new Map<string, T | PackedObject>();
  /** The keys alone (`keep: "keys"` or `{held}`). */
  readonly #keys: InformerKeys | undefined;
  readonly #keyOf: (object: KubeObject) => string;
  readonly #packer: ObjectPacker | undefined;

  constructor(options: InformerStoreOptions) {
    const { keep = "objects", namespace, packer } = options;
    this.#keys =
      keep === "objects"
        ? undefined
        : new InformerKeys(namespace, keep === "keys" ? undefined : keep.held);
    const keys = this.#keys;
    this.#keyOf = keys ? (object) => keys.keyOf(object) : (options.keyOf ?? flatObjectKey);
    this.#packer = packer;
  }

  keyOf(object: T): string {
    return this.#keyOf(object);
  }

  get(key: string): T | undefined {
    this.#assertKeepsObjects();
    const stored = this.#objects.get(key);
    return stored === undefined ? undefined : this.#unpacked(stored);
  }

  /** Every object, or those whose key `wanted` accepts (only those are unpacked). */
  list(wanted?: (key: string) => boolean): T[] {
    this.#assertKeepsObjects();
    const objects: T[] = [];
    for (const [key, stored] of this.#objects) {
      if (wanted === undefined || wanted(key)) objects.push(this.#unpacked(stored));
    }
    return objects;
  }

  /** The keys of the objects held, as stored (a KeyPool's, when keyOf pools them). */
  keys(): string[] {
    this.#assertKeepsObjects();
    return [...this.#objects.keys()];
  }

  get size(): number {
    return this.#objects.size + (this.#keys?.size ?? 0);
  }

  /** What the cache holds for `object`: the object (maybe packed), or nothing but its key. */
  remember(key: string, object: T): void {
    if (this.#keys !== undefined) this.#keys.remember(key, object);
    else this.#objects.set(key, this.#packer ? this.#packer.pack(object) : object);
  }

  forget(key: string): void {
    this.#objects.delete(key);
    this.#keys?.forget(key);
  }

  /** Forgets every object whose key is not in `seen`; yields them, to announce as deleted. */
  *sweep(seen: ReadonlySet<string>): Generator<T> {
    for (const [key, stored] of this.#objects) {
      if (seen.has(key)) continue;
      this.#objects.delete(key);
      yield this.#unpacked(stored);
    }
    for (const gone of this.#keys?.sweep(seen) ?? []) yield gone as T;
  }

  #unpacked(stored: T | PackedObject): T {
    return this.#packer ? (this.#packer.unpack(stored as PackedObject) as T) : (stored as T);
  }

  #assertKeepsObjects(): void {
    if (this.#keys !== undefined) throw new Error("this informer keeps keys only");
  }
}
