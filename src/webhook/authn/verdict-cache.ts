// A token's whole success, by its hash, for the next time it is presented: one lookup where a
// decision reads the hash index, the token store, the expiry, user, identity and success memos
// (each a cache line or more out of the CPU's caches on a busy server; record 90). Entries are
// dropped by the facts they came from: CachedFacts forgets a token's and a user's entries when
// an event about them arrives, and all of them on any hash-record event; an entry also ends at
// its token's expiry. Only plain successes are kept: one record, pinned as the token's current
// value (not an overlap's previous one), an expiry that does not depend on the clock, and no
// audiences asked.
// A kept success also counts its own uses (kept-uses.ts): the success log and the last-used
// tracker take them when they flush, so a served request touches no per-token map of theirs
// (record 91). A forgotten entry's untaken uses wait in `#retired` until both have taken them.
import type { AuthenticationEndpoint } from "../metrics.ts";
import type { AuthenticationDecision } from "./decide.ts";
import {
  TOKEN_REVIEW_V1BETA1_API_VERSION,
  tokenReviewResponseJson,
  type TokenReviewApiVersion,
} from "./token-review.ts";

type Success = Extract<AuthenticationDecision, { authenticated: true }>;

/** A kept success's TokenReview answer, and its length in UTF-8. */
export interface KeptJson {
  readonly json: string;
  readonly bytes: number;
}

/** A kept success and the uses counted on it that the success log and last used have not taken. */
export class KeptVerdict {
  readonly success: Success;
  /** Epoch ms at which the token expires (Infinity: never). */
  readonly untilMs: number;
  /** Successes on each endpoint not yet taken by the success log. */
  authenticateUses = 0;
  verifyUses = 0;
  /** The latest counted use (epoch ms; 0: none), and the latest the last-used tracker took. */
  lastUseMs = 0;
  takenUseMs = 0;
  /** When a success of this token last went through the success log and last used one by one. */
  notedAtMs: number;
  /** Its answers, made on first use, by TokenReview version. */
  #v1: KeptJson | undefined;
  #v1beta1: KeptJson | undefined;

  constructor(success: Success, untilMs: number, notedAtMs: number) {
    this.success = success;
    this.untilMs = untilMs;
    this.notedAtMs = notedAtMs;
  }

  /** The TokenReview answer of this success in `apiVersion`. */
  answer(apiVersion: TokenReviewApiVersion): KeptJson {
    if (apiVersion === TOKEN_REVIEW_V1BETA1_API_VERSION)
      return (this.#v1beta1 ??= this.#made(apiVersion));
    return (this.#v1 ??= this.#made(apiVersion));
  }

  #made(apiVersion: TokenReviewApiVersion): KeptJson {
    const json = tokenReviewResponseJson(this.success, apiVersion);
    return Object.freeze({ json, bytes: Buffer.byteLength(json) });
  }

  /** Counts one use at `nowMs` on this entry. */
  count(endpoint: AuthenticationEndpoint, nowMs: number): void {
    if (endpoint === "verify") this.verifyUses += 1;
    else this.authenticateUses += 1;
    if (nowMs > this.lastUseMs) this.lastUseMs = nowMs;
  }

  /** Whether either taker has something left to take. */
  get untaken(): boolean {
    return this.authenticateUses + this.verifyUses > 0 || this.lastUseMs > this.takenUseMs;
  }
}

/** Tokens whose success is kept at most (the busy ones; a few MB). */
export const VERDICT_CAPACITY = 4096;

export class VerdictCache {
  readonly #byHash = new Map<string, KeptVerdict>();
  /** Hashes by `namespace/name` of their token, and by ServiceUser name, to forget them. */
  readonly #byToken = new Map<string, string>();
  readonly #byUser = new Map<string, Set<string>>();
  /** Forgotten entries whose counted uses are not all taken yet. */
  #retired: KeptVerdict[] = [];
  readonly #capacity: number;

  constructor(capacity = VERDICT_CAPACITY) {
    this.#capacity = capacity;
  }

  /** The kept success of the token with this hash, if it has not expired at `nowMs`. */
  get(hash: string, nowMs: number): KeptVerdict | undefined {
    const verdict = this.#byHash.get(hash);
    return verdict !== undefined && nowMs < verdict.untilMs ? verdict : undefined;
  }

  /**
   * Keeps a (frozen) success until `untilMs`, noted one by one at `nowMs`; the oldest entry goes
   * when full.
   */
  set(hash: string, success: Success, untilMs: number, nowMs: number): KeptVerdict {
    this.#forgetHash(hash);
    if (this.#byHash.size >= this.#capacity) {
      const oldest = this.#byHash.keys().next();
      if (oldest.done !== true) this.#forgetHash(oldest.value);
    }
    const verdict = new KeptVerdict(success, untilMs, nowMs);
    this.#byHash.set(hash, verdict);
    this.#forgetHash(this.#byToken.get(success.tokenKey));
    this.#byToken.set(success.tokenKey, hash);
    let ofUser = this.#byUser.get(success.serviceUser);
    if (ofUser === undefined) this.#byUser.set(success.serviceUser, (ofUser = new Set()));
    ofUser.add(hash);
    return verdict;
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
    for (const verdict of this.#byHash.values()) this.#retire(verdict);
    this.#byHash.clear();
    this.#byToken.clear();
    this.#byUser.clear();
  }

  get size(): number {
    return this.#byHash.size;
  }

  /** Hands the success log each entry's counted successes per endpoint, and zeroes them. */
  takeUses(
    take: (success: Success, endpoint: AuthenticationEndpoint, count: number) => void,
  ): void {
    this.#eachCounted((verdict) => {
      if (verdict.authenticateUses > 0)
        take(verdict.success, "authenticate", verdict.authenticateUses);
      if (verdict.verifyUses > 0) take(verdict.success, "verify", verdict.verifyUses);
      verdict.authenticateUses = 0;
      verdict.verifyUses = 0;
    });
  }

  /** Hands the last-used tracker each entry's latest counted use it has not taken. */
  takeLastUses(take: (tokenKey: string, atMs: number) => void): void {
    this.#eachCounted((verdict) => {
      if (verdict.lastUseMs > verdict.takenUseMs) take(verdict.success.tokenKey, verdict.lastUseMs);
      verdict.takenUseMs = verdict.lastUseMs;
    });
  }

  /** Visits live and retired entries; retired ones leave once nothing is left to take. */
  #eachCounted(visit: (verdict: KeptVerdict) => void): void {
    for (const verdict of this.#byHash.values()) visit(verdict);
    for (const verdict of this.#retired) visit(verdict);
    this.#retired = this.#retired.filter((verdict) => verdict.untaken);
  }

  #retire(verdict: KeptVerdict): void {
    if (verdict.untaken) this.#retired.push(verdict);
  }

  #forgetHash(hash: string | undefined): void {
    if (hash === undefined) return;
    const verdict = this.#byHash.get(hash);
    if (verdict === undefined) return;
    this.#byHash.delete(hash);
    this.#retire(verdict);
    const { tokenKey, serviceUser } = verdict.success;
    if (this.#byToken.get(tokenKey) === hash) this.#byToken.delete(tokenKey);
    const ofUser = this.#byUser.get(serviceUser);
    ofUser?.delete(hash);
    if (ofUser?.size === 0) this.#byUser.delete(serviceUser);
  }
}
