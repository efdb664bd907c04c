// One copy of what repeats between the controller's cached objects. Every listed or watched
// object arrives freshly parsed, so 100k tokens hold 100k copies of "svctokens.dev/v1alpha1",
// of their ServiceUser's uid and name, of the controller's field manager, of the finalizer, of
// the trimmed managedFields of every Secret. Values are the same; only their copies go.
import { LABEL_TOKEN_ID, LABEL_TOKEN_NAME, LABEL_TOKEN_UID } from "../api/index.ts";
import type { KubeObject } from "../k8s/object.ts";
import { StringPool } from "../k8s/string-pool.ts";
import { trimForCache, trimSecretForCache, trimTokenForCache } from "./cache-trim.ts";

type Transform = (object: KubeObject) => KubeObject;

/**
 * What the controller's informers apply to every object they receive: the trim of
 * cache-trim.ts, then one CacheSharing for all of them. A token's owner reference (to its
 * ServiceUser), finalizers and spec repeat per user; a Secret's trimmed managedFields are the
 * same for all.
 */
export function cacheTransforms(): Record<"token" | "secret" | "other", Transform> {
  const sharing = new CacheSharing();
  const kept =
    (trim: Transform, parts: readonly string[] = []): Transform =>
    (object) =>
      sharing.share(trim(object), parts);
  return {
    token: kept(trimTokenForCache, [
      "metadata.ownerReferences",
      "metadata.finalizers",
      "metadata.managedFields",
      "spec",
    ]),
    secret: kept(trimSecretForCache, ["metadata.managedFields"]),
    other: kept(trimForCache),
  };
}

/**
 * Fields whose strings are (nearly) unique per object: pooling them would only churn the pool.
 * Everything else (kinds, namespaces, users, uids of users, phases, messages, timestamps of
 * the same second, data.username) is pooled.
 */
const UNIQUE_FIELDS = new Set([
  "name",
  "uid",
  "resourceVersion",
  "tokenId",
  "secretName",
  "token",
  "tokenHash",
  LABEL_TOKEN_NAME,
  LABEL_TOKEN_UID,
  LABEL_TOKEN_ID,
]);

/** Most distinct shared parts kept; past it the table starts afresh (as StringPool does). */
const MAX_PARTS = 4096;

/**
 * Shares repeated strings, and whole small parts named by the caller (a token's owner reference
 * to its ServiceUser, its finalizers, a Secret's trimmed managedFields), between cached
 * objects. Shared parts are frozen: the caches are read, never written in place, and a write
 * to a shared part would change every object that shares it, so it must fail loudly instead.
 */
export class CacheSharing {
  readonly #strings = new StringPool();
  readonly #parts = new Map<string, unknown>();

  /**
   * `object`, with its strings pooled and the parts at `parts` (paths such as
   * `metadata.finalizers`) replaced by shared frozen copies. Takes the object over: it is changed
   * in place, so pass only what nobody else holds (what an informer just parsed and trimmed).
   */
  share(object: KubeObject, parts: readonly string[]): KubeObject {
    this.#pool(object, undefined);
    for (const path of parts) {
      const fields = path.split(".");
      const last = fields.pop() ?? "";
      let parent: unknown = object;
      for (const field of fields) parent = (parent as Record<string, unknown> | undefined)?.[field];
      const holder = parent as Record<string, unknown> | undefined;
      if (holder?.[last] !== undefined && !Object.isFrozen(holder)) {
        holder[last] = this.#part(holder[last]);
      }
    }
    return object;
  }

  /** Replaces, in place, every string below `value` by the pool's copy (unique fields aside). */
  #pool(value: unknown, field: string | undefined): unknown {
    if (typeof value === "string") {
      return field !== undefined && UNIQUE_FIELDS.has(field) ? value : this.#strings.intern(value);
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) value[i] = this.#pool(value[i], field);
    } else if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) record[key] = this.#pool(record[key], key);
    }
    return value;
  }

  /** The shared, frozen copy of a part equal to `value`. */
  #part(value: unknown): unknown {
    const key = JSON.stringify(value);
    const known = this.#parts.get(key);
    if (known !== undefined) return known;
    if (this.#parts.size >= MAX_PARTS) this.#parts.clear();
    const frozen = deepFreeze(value);
    this.#parts.set(key, frozen);
    return frozen;
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
