// What a keys-only informer (`keep: "keys"`) remembers of its objects: that they exist, so it
// can announce those gone at a relist. Its consumer keeps whatever else it needs. With
// `keep: {held}` the consumer says what it holds, and the informer keeps nothing at all.
import { objectKey, splitKey, type KubeObject } from "./object.ts";

/** The keys of a keys-only informer's objects. */
export class InformerKeys {
  readonly #keys = new Set<string>();
  readonly #namespace: string | undefined;
  readonly #held: (() => Iterable<KubeObject>) | undefined;

  /**
   * `namespace`: the informer's one namespace, if it has one. `held`: what the consumer holds
   * (name and namespace of each), asked at a sweep instead of keeping a key per object.
   */
  constructor(namespace: string | undefined, held?: () => Iterable<KubeObject>) {
    this.#namespace = namespace;
    this.#held = held;
  }

  /**
   * The key of `object`: in a cache of one namespace its name (the very string the consumer
   * keeps, not one more `namespace/name` per object), else its objectKey.
   */
  keyOf(object: KubeObject): string {
    return this.#namespace === undefined ? objectKey(object) : (object.metadata?.name ?? "");
  }

  remember(key: string, object: KubeObject): void {
    if (this.#held !== undefined || this.#keys.has(key)) return;
    // A name is kept as is; a `namespace/name` is built by concatenation, and that string would
    // keep this object's own copy of the namespace alive with every key: a flat copy instead.
    this.#keys.add(key === object.metadata?.name ? key : Buffer.from(key).toString());
  }

  forget(key: string): void {
    this.#keys.delete(key);
  }

  /** Keys kept (none when the consumer says what it holds). */
  get size(): number {
    return this.#keys.size;
  }

  /** `object` as a deletion is announced: name, and namespace if it has one. */
  #announced(object: KubeObject): KubeObject {
    const { namespace = this.#namespace, name = "" } = object.metadata ?? {};
    return { metadata: namespace === undefined ? { name } : { namespace, name } };
  }

  /** Forgets every key not in `seen`; yields what to announce as deleted: name and namespace. */
  *sweep(seen: ReadonlySet<string>): Generator<KubeObject> {
    if (this.#held !== undefined) {
      // Collected first: announcing one changes what the consumer holds.
      const gone = [...this.#held()].filter((object) => !seen.has(this.keyOf(object)));
      yield* gone.map((object) => this.#announced(object));
      return;
    }
    for (const key of this.#keys) {
      if (seen.has(key)) continue;
      this.#keys.delete(key);
      const { namespace, name } =
        this.#namespace === undefined ? splitKey(key) : { namespace: this.#namespace, name: key };
      yield { metadata: namespace === undefined ? { name } : { namespace, name } };
    }
  }
}
