// The value decision, pure: given what the delivery Secret and the hash record at the token's
// names are (missing, foreign, ours), what the token's status pins, and whether the token has
// expired, what the controller does next. The I/O shell (value.ts) carries the plan out.
//
// The pin: before a generated value exists anywhere, the controller writes its tokenId (and
// createdAt, serviceUserUid) into the token's status, which only the controller may write. A
// value is kept only when it is the pinned one, so a Secret someone else put at the name — even
// one carrying our label, owner reference and field manager — never has its value used.
import {
  hashToken,
  isWellFormedToken,
  tokenIdFromHash,
  type TokenHash,
} from "../../tokens/index.ts";

/** What sits at a name the controller writes. */
export type SecretAtName<Ours> =
  { kind: "missing" } | { kind: "foreign" } | ({ kind: "ours" } & Ours);

/** The delivery Secret: its token value when ours (undefined: the key is absent). */
export type DeliveryAtName = SecretAtName<{ value: string | undefined }>;
/** The hash record: its hash when ours. */
export type RecordAtName = SecretAtName<{ hash: TokenHash }>;

export interface ValuePlanInput {
  /** spec.tokenHash of a client-generated token (no delivery Secret). */
  clientHash: TokenHash | undefined;
  delivery: DeliveryAtName;
  record: RecordAtName;
  /** status.tokenId: the value the controller pinned before writing it. */
  pinnedTokenId: string | undefined;
  /**
   * A value was generated and the token is past its expiry (computed from the token, never
   * from a record). Never true before the first generation: expiry counts from generation.
   */
  expired: boolean;
}

/** Why a new value is generated. */
export type GenerateWhy = "first" | "delivery-gone" | "delivery-not-pinned";

export type ValuePlan =
  /** A Secret the controller did not write holds one of the names: report, touch nothing. */
  | { kind: "conflict"; at: "delivery" | "record" }
  /** Nothing generated yet: the first value (once the ServiceUser allows it). */
  | { kind: "generate"; why: GenerateWhy }
  /** Keep this hash; make the record (and the pin) say so. */
  | { kind: "keep"; hash: TokenHash }
  /** Expired and its value gone: nothing is ever brought back; the record stays as it is. */
  | { kind: "expired" };

/** Decides what to do about a token's value. */
export function planTokenValue(input: ValuePlanInput): ValuePlan {
  const { delivery, record, pinnedTokenId } = input;
  if (record.kind === "foreign") return { kind: "conflict", at: "record" };
  if (input.clientHash !== undefined) {
    // A record of the client's (public) hash is harmless to keep; one of another hash is not ours.
    if (record.kind === "ours" && record.hash !== input.clientHash && pinnedTokenId === undefined)
      return { kind: "conflict", at: "record" };
    return { kind: "keep", hash: input.clientHash };
  }
  if (delivery.kind === "foreign") return { kind: "conflict", at: "delivery" };

  const value = delivery.kind === "ours" ? wellFormed(delivery.value) : undefined;
  const hash = value === undefined ? undefined : hashToken(value);
  if (pinnedTokenId === undefined) {
    // The controller pins before it writes: a Secret found while nothing is pinned was not
    // written by it — unless an older version wrote both (it pinned last) and they agree.
    if (delivery.kind === "ours" && record.kind === "ours" && hash === record.hash)
      return { kind: "keep", hash: record.hash };
    if (delivery.kind === "ours") return { kind: "conflict", at: "delivery" };
    if (record.kind === "ours") return { kind: "conflict", at: "record" };
    return { kind: "generate", why: "first" };
  }

  if (hash !== undefined && tokenIdFromHash(hash) === pinnedTokenId) return { kind: "keep", hash };
  // An expired token is never brought back to life, not even with a new value.
  if (input.expired) return { kind: "expired" };
  return {
    kind: "generate",
    why: delivery.kind === "missing" ? "delivery-gone" : "delivery-not-pinned",
  };
}

function wellFormed(value: string | undefined): string | undefined {
  return value !== undefined && isWellFormedToken(value) ? value : undefined;
}
