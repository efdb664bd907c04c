// A token's success, made once and handed out again while nothing it was made from changed: a
// busy token is presented thousands of times a second, and each success built its user, extra,
// lists and key strings anew (the garbage of those is scavenged on the request path). Kept per
// cached ServiceToken object, checked against the names its record gave and its user's identity
// on every read (so a record or user that changed is never answered from an old entry), frozen
// (no caller can change it for the next one), and bounded: the oldest entry goes first.
import type { UserIdentity } from "./identity-memo.ts";

/** What the token's hash record names (the record read this time: current or previous). */
export interface RecordNames {
  tokenId: string;
  tokenName: string;
  tokenNamespace: string;
}

interface Entry<T> extends RecordNames {
  serviceUser: string;
  identity: UserIdentity;
  success: T;
}

/** Tokens whose success is kept at most: a few MB, far more than the busy ones. */
export const SUCCESS_MEMO_CAPACITY = 4096;

/** Token objects → their last success (`T`); insertion-ordered, so the oldest is evicted. */
export class SuccessMemo<T> {
  readonly #entries = new Map<object, Entry<T>>();
  readonly #capacity: number;

  constructor(capacity = SUCCESS_MEMO_CAPACITY) {
    this.#capacity = capacity;
  }

  /** The success kept for `token`, if it was made from exactly these record names and user. */
  get(
    token: object,
    record: RecordNames,
    serviceUser: string,
    identity: UserIdentity,
  ): T | undefined {
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;
    const same =
      entry.identity === identity &&
      entry.tokenId === record.tokenId &&
      entry.tokenName === record.tokenName &&
      entry.tokenNamespace === record.tokenNamespace &&
      entry.serviceUser === serviceUser;
    return same ? entry.success : undefined;
  }

  /** Keeps `success` for `token` (replacing its entry), evicting the oldest entry when full. */
  set(
    token: object,
    record: RecordNames,
    serviceUser: string,
    identity: UserIdentity,
    success: T,
  ): void {
    if (!this.#entries.delete(token) && this.#entries.size >= this.#capacity) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    const { tokenId, tokenName, tokenNamespace } = record;
    this.#entries.set(token, {
      tokenId,
      tokenName,
      tokenNamespace,
      serviceUser,
      identity,
      success,
    });
  }

  get size(): number {
    return this.#entries.size;
  }
}
