// A token's whole success, by its hash, for the next time it is presented: one lookup where a
// decision reads the hash index, the token store, the expiry, user, identity and success memos
// (each a cache line or more out of the CPU's caches on a busy server; record 90). Entries are
// dropped by the facts they came from: CachedFacts forgets a token's and a user's entries when
// an event changes them, and all of them when any hash record changes; an entry also ends at
// its token's expiry. Only plain successes are kept: one record, pinned as the token's current
// value (not an overlap's previous one), an expiry that does not depend on the clock, and no
// audiences asked.
// A kept success also counts its own uses: the success log (`SuccessLog.countKept`) and the
// last-used tracker take them when they flush, so a served request touches no per-token map of
// theirs (record 91). A forgotten entry's untaken uses wait in `#retired`, one record per token and
// value, until both have taken them.
import type { AuthenticationEndpoint } from "../metrics.ts";
import type { AuthenticationSuccess as Success } from "./decide.ts";
import {
  TOKEN_REVIEW_V1BETA1_API_VERSION,
  tokenReviewResponseJson,
  type TokenReviewApiVersion,
} from "./token-review.ts";

/** A kept success's TokenReview answer, and its length in UTF-8. */
export interface KeptJson {
  readonly json: string;
  readonly bytes: number;
}

/** Uses counted on a kept success that the success log and the last-used tracker have not taken. */
export interface CountedUses {
  readonly success: Success;
  /** Successes on each endpoint not yet taken by the success log. */
  authenticateUses: number;
  verifyUses: number;
  /** The latest counted use (epoch ms; 0: none), and the latest the last-used tracker took. */
  lastUseMs: number;
  takenUseMs: number;
}

/** Whether either taker has something left to take. */
const untaken = (uses: CountedUses): boolean =>
  uses.authenticateUses + uses.verifyUses > 0 || uses.lastUseMs > uses.takenUseMs;

/** A kept success, the uses counted on it, and its answers. */
export class KeptVerdict implements CountedUses {
  readonly success: Success;
  /** Epoch ms at which the token expires (Infinity: never). */
  readonly untilMs: number;
  authenticateUses = 0;
  verifyUses = 0;
  lastUseMs = 0;
  takenUseMs = 0;
  /**
   * When a success of this token on each endpoint last went through the success log and last
   * used one by one, since it was kept (-Infinity: not yet; the success log keeps its lines per
   * endpoint).
   */
  #authenticateNotedAtMs = -Infinity;
  #verifyNotedAtMs = -Infinity;
  /** Its answers, made on first use, by TokenReview version. */
  #v1: KeptJson | undefined;
  #v1beta1: KeptJson | undefined;

  constructor(success: Success, untilMs: number) {
    this.success = success;
    this.untilMs = untilMs;
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

  notedAtMs(endpoint: AuthenticationEndpoint): number {
    return endpoint === "verify" ? this.#verifyNotedAtMs : this.#authenticateNotedAtMs;
  }

  /** A success on `endpoint` went through the success log and last used one by one. */
  noted(endpoint: AuthenticationEndpoint, nowMs: number): void {
    if (endpoint === "verify") this.#verifyNotedAtMs = nowMs;
    else this.#authenticateNotedAtMs = nowMs;
  }

  /** Counts one use at `nowMs` on this entry. */
  count(endpoint: AuthenticationEndpoint, nowMs: number): void {
    if (endpoint === "verify") this.verifyUses += 1;
    else this.authenticateUses += 1;
    if (nowMs > this.lastUseMs) this.lastUseMs = nowMs;
  }
}

/** Tokens whose success is kept at most (the busy ones; a few MB). */
export const VERDICT_CAPACITY = 4096;

export class VerdictCache {
  readonly #byHash = new Map<string, KeptVerdict>();
  /** Hashes by `namespace/name` of their token, and by ServiceUser name, to forget them. */
  readonly #byToken = new Map<string, string>();
  readonly #byUser = new Map<string, Set<string>>();
  /**
   * Uses counted on forgotten entries and not all taken yet, one record per token and value:
   * an entry forgotten again and again (a busy token, frequent events) adds to its record.
   */
  readonly #retired = new Map<string, CountedUses>();
  readonly #capacity: number;

  constructor(capacity = VERDICT_CAPACITY) {
    this.#capacity = capacity;
  }

  /** The kept success of the token with this hash, if it has not expired at `nowMs`. */
  get(hash: string, nowMs: number): KeptVerdict | undefined {
    const verdict = this.#byHash.get(hash);
    return verdict !== undefined && nowMs < verdict.untilMs ? verdict : undefined;
  }

  /** Keeps a (frozen) success until `untilMs`; the oldest entry goes when full. */
  set(hash: string, success: Success, untilMs: number): KeptVerdict {
    this.#forgetHash(hash);
    if (this.#byHash.size >= this.#capacity) {
      const oldest = this.#byHash.keys().next();
      if (oldest.done !== true) this.#forgetHash(oldest.value);
    }
    const verdict = new KeptVerdict(success, untilMs);
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
    this.#eachCounted((uses) => {
      if (uses.authenticateUses > 0) take(uses.success, "authenticate", uses.authenticateUses);
      if (uses.verifyUses > 0) take(uses.success, "verify", uses.verifyUses);
      uses.authenticateUses = 0;
      uses.verifyUses = 0;
    });
  }

  /** Hands the last-used tracker each entry's latest counted use it has not taken. */
  takeLastUses(take: (tokenKey: string, atMs: number) => void): void {
    this.#eachCounted((uses) => {
      if (uses.lastUseMs > uses.takenUseMs) take(uses.success.tokenKey, uses.lastUseMs);
      uses.takenUseMs = uses.lastUseMs;
    });
  }

  /** Records of forgotten entries' uses still waiting for a taker (one per token and value). */
  get retiredCount(): number {
    return this.#retired.size;
  }

  /** Visits live entries and retired records; a record leaves once nothing is left to take. */
  #eachCounted(visit: (uses: CountedUses) => void): void {
    for (const verdict of this.#byHash.values()) visit(verdict);
    for (const [key, uses] of this.#retired) {
      visit(uses);
      if (!untaken(uses)) this.#retired.delete(key);
    }
  }

  /** Keeps what is not taken of a forgotten entry's uses, in its token and value's record. */
  #retire(verdict: KeptVerdict): void {
    if (!untaken(verdict)) return;
    const { success } = verdict;
    const key = `${success.tokenKey} ${success.tokenId} ${success.serviceUser}`;
    const held = this.#retired.get(key);
    if (held === undefined) {
      const { authenticateUses, verifyUses, lastUseMs, takenUseMs } = verdict;
      this.#retired.set(key, { success, authenticateUses, verifyUses, lastUseMs, takenUseMs });
      return;
    }
    held.authenticateUses += verdict.authenticateUses;
    held.verifyUses += verdict.verifyUses;
    // A use the tracker already took, or one older than the record's, is not handed over again.
    if (verdict.lastUseMs > verdict.takenUseMs && verdict.lastUseMs > held.lastUseMs) {
      held.lastUseMs = verdict.lastUseMs;
    }
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
