// What a ServiceUser's status needs from each of its tokens: four fields, read straight from the
// cached object. A full schema parse of every token on each status write cost ~100 µs a token
// (a thousand tokens per user, ~60 writes while they were created: 7 s of the controller's CPU).
import type { KubeObject } from "../../k8s/object.ts";

/** The fields of a ServiceToken that its user's status sums up. */
export interface TokenTally {
  spec: { revoked: boolean };
  status?: { phase?: string; expiresAt?: string; lastUsedAt?: string };
}

const optionalString = (value: unknown): value is string | undefined =>
  value === undefined || typeof value === "string";

const optionalTime = (value: unknown): value is string | undefined =>
  value === undefined || (typeof value === "string" && !Number.isNaN(Date.parse(value)));

/**
 * The tally of one cached token, or undefined when these fields are malformed (the token's own
 * reconciler reports what is wrong with it; it does not count for its user).
 */
export function tokenTally(token: KubeObject): TokenTally | undefined {
  const spec = token.spec as { revoked?: unknown } | undefined;
  const status = token.status as
    { phase?: unknown; expiresAt?: unknown; lastUsedAt?: unknown } | undefined;
  if (typeof spec !== "object" || spec === null) return undefined;
  if (spec.revoked !== undefined && typeof spec.revoked !== "boolean") return undefined;
  const revoked = spec.revoked === true;
  if (status === undefined) return { spec: { revoked } };
  if (typeof status !== "object" || status === null) return undefined;
  const { phase, expiresAt, lastUsedAt } = status;
  if (!optionalString(phase) || !optionalTime(expiresAt) || !optionalTime(lastUsedAt))
    return undefined;
  return {
    spec: { revoked },
    status: {
      ...(phase === undefined ? {} : { phase }),
      ...(expiresAt === undefined ? {} : { expiresAt }),
      ...(lastUsedAt === undefined ? {} : { lastUsedAt }),
    },
  };
}
