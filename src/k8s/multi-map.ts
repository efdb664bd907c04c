// Key → the values filed under it, for the caches' lookups (hash → records, user → tokens, the
// controller's secondary indexes).

/**
 * A map from a key to the values filed under it (objects compared by identity, strings and numbers by
 * value). Most keys hold one value (a token hash, a token id), so a lone value is stored as
 * itself and an array is made only for the second: 100k keys cost 100k map entries, not 100k
 * Sets besides. Values must not be arrays themselves.
 */
export class MultiMap<V extends object | string | number> {
  readonly #values = new Map<string, V | V[]>();

  add(key: string, value: V): void {
    const filed = this.#values.get(key);
    if (filed === undefined) this.#values.set(key, value);
    else if (Array.isArray(filed)) {
      if (!filed.includes(value)) filed.push(value);
    } else if (filed !== value) this.#values.set(key, [filed, value]);
  }

  remove(key: string, value: V): void {
    const filed = this.#values.get(key);
    if (filed === value) {
      this.#values.delete(key);
      return;
    }
    if (!Array.isArray(filed)) return;
    const rest: V[] = (filed as V[]).filter((other) => other !== value);
    const [only] = rest;
    if (rest.length === 0 || only === undefined) this.#values.delete(key);
    else this.#values.set(key, rest.length === 1 ? only : rest);
  }

  /** The values filed under `key` (a new array: the caller may keep it). */
  get(key: string): V[] {
    const filed = this.#values.get(key);
    if (filed === undefined) return [];
    return Array.isArray(filed) ? [...filed] : [filed];
  }
}
