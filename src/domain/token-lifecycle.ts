// A token's life in time: when it expires and which phase it is in at a given moment.
import { ServiceTokenPhase } from "../api/index.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

/** Expiry fixed at generation: `createdAt` + `expiresInDays`, or never. */
export function tokenExpiresAt(
  createdAt: Date,
  expiresInDays: number | undefined,
): Date | undefined {
  return expiresInDays === undefined
    ? undefined
    : new Date(createdAt.getTime() + expiresInDays * DAY_MS);
}

/**
 * Active, Revoked or Expired at `now`. Expired wins over Revoked: an expired token can never
 * be restored, so that is the state that tells the Admin what is possible.
 */
export function tokenPhase(
  revoked: boolean,
  expiresAt: Date | undefined,
  now: Date,
): ServiceTokenPhase {
  if (expiresAt !== undefined && now.getTime() >= expiresAt.getTime())
    return ServiceTokenPhase.Expired;
  return revoked ? ServiceTokenPhase.Revoked : ServiceTokenPhase.Active;
}

/** What a token says about its own generation (status is written by the controller only). */
export interface TokenTimes {
  /** metadata.creationTimestamp: nothing was generated before the token existed. */
  creationTimestamp?: string | undefined;
  /** status.createdAt: when the controller generated the value (pinned before it existed). */
  createdAt?: string | undefined;
  /** status.expiresAt, as the controller last reported it. */
  expiresAt?: string | undefined;
}

const dateOf = (text: string | undefined): Date | undefined => {
  if (text === undefined) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
};

/**
 * When the token's value was generated: `status.createdAt`. Before the controller has written
 * it (or for an object without it), a hint — a hash record's created-at — is clamped to
 * [metadata.creationTimestamp, now], so a forged date in the future cannot extend anything;
 * with no hint at all, the earliest possible instant (creationTimestamp) is taken.
 */
export function tokenGeneratedAt(times: TokenTimes, hint: Date | undefined, now: Date): Date {
  const fromStatus = dateOf(times.createdAt);
  if (fromStatus) return fromStatus;
  const floor = dateOf(times.creationTimestamp)?.getTime();
  const guess = hint?.getTime() ?? floor ?? now.getTime();
  return new Date(Math.min(Math.max(guess, floor ?? guess), now.getTime()));
}

/**
 * When the token expires, from the token alone: `tokenGeneratedAt` + `spec.expiresInDays`,
 * or `status.expiresAt` if that is earlier. Undefined: never.
 */
export function tokenExpiry(
  times: TokenTimes,
  expiresInDays: number | undefined,
  hint: Date | undefined,
  now: Date,
): Date | undefined {
  const fromSpec = tokenExpiresAt(tokenGeneratedAt(times, hint, now), expiresInDays);
  const reported = dateOf(times.expiresAt);
  if (fromSpec === undefined) return reported;
  if (reported === undefined) return fromSpec;
  return reported.getTime() < fromSpec.getTime() ? reported : fromSpec;
}

/** What `kubectl get st` shows under EXPIRES, and when that text next changes. */
export interface ExpiresInDisplay {
  /** `never`, `expired`, `<1d`, or the whole days left (`29d`). */
  text: string;
  /** When the text changes next (undefined: never); the controller looks again then. */
  nextChangeAt: Date | undefined;
}

/**
 * The time left before expiry at day granularity. A snapshot written into status, so it is
 * coarse on purpose: it changes at most once a day (plus once in the final day), which keeps
 * status writes rare while the column stays honest.
 */
export function expiresInDisplay(expiresAt: Date | undefined, now: Date): ExpiresInDisplay {
  if (expiresAt === undefined) return { text: "never", nextChangeAt: undefined };
  const left = expiresAt.getTime() - now.getTime();
  if (left <= 0) return { text: "expired", nextChangeAt: undefined };
  // Whole days left, counting only days that are entirely ahead: more than 29 and at most 30
  // days left shows 29d. The text changes at the moment exactly `days` days are left, and at
  // that moment it already shows the new count, so looking again then always finds a change.
  const days = Math.ceil(left / DAY_MS) - 1;
  return {
    text: days === 0 ? "<1d" : `${String(days)}d`,
    nextChangeAt: new Date(expiresAt.getTime() - days * DAY_MS),
  };
}
