// The value decision, pure: given what the delivery Secret and the hash record at the token's
// names are (missing, foreign, ours), what the token's status pins, and whether the token has
// expired, what the controller does next, and which names it must read before writing (the
// caches hold only labelled Secrets). The I/O shell (value.ts) carries the plan out.
//
// The pin: a value is kept only when something the controller alone writes names it. For a
// FIRST value that is the hash record (operator namespace, written first, record 63): the
// controller writes record → delivery Secret → status, so a delivery Secret without a record
// that holds its value was not written by it, and a record without a delivery Secret is a value
// that never left the controller (it is replaced). Rotation and regeneration pin the new value
// in the token's status first (record 25). A Secret someone else put at the delivery name — even
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
    // A first value is written record → delivery → status: a delivery Secret and a record that
    // agree are ours (a crash before the status, or an older version that pinned last).
    if (delivery.kind === "ours" && record.kind === "ours" && hash === record.hash)
      return { kind: "keep", hash: record.hash };
    // A delivery Secret no record vouches for was not written by the controller.
    if (delivery.kind === "ours") return { kind: "conflict", at: "delivery" };
    // Nothing, or a record whose value was never delivered (it never left the controller):
    // a fresh first value, the record rewritten.
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

/** Which names the caches call free must be read directly before the plan is carried out. */
export interface NamesToRead {
  delivery: boolean;
  record: boolean;
}

/**
 * The caches hold only labelled Secrets, one step behind our own writes. A first value into two
 * free names reads nothing: its creates find whatever is there (409 AlreadyExists, then a read).
 * A first value that rewrites an undelivered record reads the delivery name first (a lagging
 * cache must not make a delivered value look undelivered), and so does any first value while
 * the token's status reports a SecretConflict. Everything else reads the free names before the
 * pin, as before.
 */
export function namesToRead(
  plan: ValuePlan,
  input: ValuePlanInput,
  conflictReported = false,
): NamesToRead {
  const freeDelivery = input.clientHash === undefined && input.delivery.kind === "missing";
  const freeRecord = input.record.kind === "missing";
  if (plan.kind === "generate" && plan.why === "first") {
    // While a conflict is reported, look before writing: a name held by a Secret the caches do
    // not show would otherwise cost a record written and deleted on every run.
    if (conflictReported) return { delivery: freeDelivery, record: freeRecord };
    return { delivery: freeDelivery && !freeRecord, record: false };
  }
  if (plan.kind === "generate" || plan.kind === "keep") {
    return { delivery: freeDelivery, record: freeRecord };
  }
  return { delivery: false, record: false };
}

function wellFormed(value: string | undefined): string | undefined {
  return value !== undefined && isWellFormedToken(value) ? value : undefined;
}
