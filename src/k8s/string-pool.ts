// One copy of each repeated string in the caches. Every listed object arrives freshly parsed,
// so 100k tokens of one namespace hold 100k equal namespace strings; the pool keeps one.

/**
 * Canonical copies of strings with few distinct values (namespaces, ServiceUser names and
 * uids, phases): as many as there are namespaces and users, not tokens. Values are not removed
 * when their last object goes; past `maxSize` distinct values the pool starts afresh (strings
 * already handed out stay valid, only their sharing is lost), so it cannot grow without bound.
 */
export class StringPool {
  readonly #strings = new Map<string, string>();
  readonly #maxSize: number;

  constructor(maxSize = 65_536) {
    this.#maxSize = maxSize;
  }

  /** The pool's copy of `value` (`value` itself the first time). */
  intern<T extends string | undefined>(value: T): T {
    if (value === undefined) return value;
    const known = this.#strings.get(value);
    if (known !== undefined) return known as T;
    if (this.#strings.size >= this.#maxSize) this.#strings.clear();
    this.#strings.set(value, value);
    return value;
  }

  get size(): number {
    return this.#strings.size;
  }
}
