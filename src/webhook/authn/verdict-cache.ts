// A token's whole success, by its hash, for the next time it is presented: one lookup where a
// decision reads the hash index, the token store, the expiry, user, identity and success memos
// (each a cache line or more out of the CPU's caches on a busy server; record 90). Entries are
// dropped by the facts they came from: CachedFacts forgets a token's and a user's entries when
// an event about them arrives, and all of them on any hash-record event; an entry also ends at
// its token's expiry. Only plain successes are kept: one record, pinned as the token's current
// value (not an overlap's previous one), an expiry that does not depend on the clock, and no
// audiences asked.
import type { AuthenticationDecision } from "./decide.ts";

type Success = Extract<AuthenticationDecision, { authenticated: true }>;

interface Verdict {
  success: Success;
  /** Epoch ms at which the token expires (Infinity: never). */
  untilMs: number;
}

/** Tokens whose success is kept at most (the busy ones; a few MB). */
export const VERDICT_CAPACITY = 4096;

export class VerdictCache {
  readonly #byHash = new Map<string, Verdict>();
  /** Hashes by `namespace/name` of their token, and by ServiceUser name, to forget them. */
  readonly #byToken = new Map<string, string>();
  readonly #byUser = new Map<string, Set<string>>();
  readonly #capacity: number;

  constructor(capacity = VERDICT_CAPACITY) {
    this.#capacity = capacity;
  }

  /** The kept success of the token with this hash, if it has not expired at `nowMs`. */
  get(hash: string, nowMs: number): Success | undefined {
    const verdict = this.#byHash.get(hash);
    return verdict !== undefined && nowMs < verdict.untilMs ? verdict.success : undefined;
  }

  /** Keeps a (frozen) success until `untilMs`; the oldest entry goes when full. */
  set(hash: string, success: Success, untilMs: number): void {
    this.#forgetHash(hash);
    if (this.#byHash.size >= this.#capacity) {
      const oldest = this.#byHash.keys().next();
      if (oldest.done !== true) this.#forgetHash(oldest.value);
    }
    this.#byHash.set(hash, { success, untilMs });
    this.#forgetHash(this.#byToken.get(success.tokenKey));
    this.#byToken.set(success.tokenKey, hash);
    let ofUser = this.#byUser.get(success.serviceUser);
    if (ofUser === undefined) this.#byUser.set(success.serviceUser, (ofUser = new Set()));
    ofUser.add(hash);
  }

  /** Something about this ServiceToken (`namespace/name`) changed. */
  forgetToken(tokenKey: string): void {
    this.#forgetHash(this.#byToken.get(tokenKey));
  }

  /** Something about this ServiceUser changed. */
  forgetUser(name: string): void {
    for (const hash of this.#byUser.get(name) ?? []) this.#forgetHash(hash);
  }

  /** A hash record changed: any hash may now have another record, or none. */
  forgetAll(): void {
    this.#byHash.clear();
    this.#byToken.clear();
    this.#byUser.clear();
  }

  get size(): number {
    return this.#byHash.size;
  }

  #forgetHash(hash: string | undefined): void {
    if (hash === undefined) return;
    const verdict = this.#byHash.get(hash);
    if (verdict === undefined) return;
    this.#byHash.delete(hash);
    const { tokenKey, serviceUser } = verdict.success;
    if (this.#byToken.get(tokenKey) === hash) this.#byToken.delete(tokenKey);
    const ofUser = this.#byUser.get(serviceUser);
    ofUser?.delete(hash);
    if (ofUser?.size === 0) this.#byUser.delete(serviceUser);
  }
}
