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
