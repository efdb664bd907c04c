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
