// Pure functions: a ServiceUser's status from its spec and its tokens.
import {
  ReadyReason,
  ServiceTokenPhase,
  ServiceUserPhase,
  type ServiceUser,
  type ServiceUserStatus,
} from "../../api/index.ts";
import { serviceUserGroups, serviceUserUsername } from "../../domain/identity.ts";
import { tokenPhase } from "../../domain/token-lifecycle.ts";
import { statusConditions } from "../conditions.ts";
import type { TokenTally } from "./token-tally.ts";

/** A token's phase now, from its spec and the expiry its status reports (undefined: not generated). */
export function currentTokenPhase(token: TokenTally, now: Date): ServiceTokenPhase | undefined {
  if (!token.status?.phase) return undefined;
  const expiresAt = token.status.expiresAt ? new Date(token.status.expiresAt) : undefined;
  return tokenPhase(token.spec.revoked, expiresAt, now);
}

/** The status of a ServiceUser given all of its tokens. */
export function desiredUserStatus(
  user: ServiceUser,
  tokens: readonly TokenTally[],
  now: Date,
): ServiceUserStatus {
  const active = tokens.filter(
    (token) => currentTokenPhase(token, now) === ServiceTokenPhase.Active,
  );
  const lastUsed = tokens
    .map((token) => token.status?.lastUsedAt)
    .filter((time): time is string => time !== undefined)
    .sort((a, b) => Date.parse(a) - Date.parse(b))
    .pop();
  // Active and Deactivated are both what the spec asks for: Ready either way.
  const verdict = user.spec.active
    ? { ready: true, reason: ReadyReason.Active, message: "The Service User is active." }
    : {
        ready: true,
        reason: ReadyReason.Deactivated,
        message:
          "The Service User is deactivated: its tokens do not authenticate. Set spec.active to true to reactivate it.",
      };
  return {
    phase: user.spec.active ? ServiceUserPhase.Active : ServiceUserPhase.Deactivated,
    username: serviceUserUsername(user.metadata.name),
    groups: serviceUserGroups(user.spec),
    ...(user.spec.teams?.length ? { teamsDisplay: user.spec.teams.join(",") } : {}),
    tokens: tokens.length,
    activeTokens: active.length,
    ...(lastUsed ? { lastUsedAt: lastUsed } : {}),
    conditions: statusConditions(user.status?.conditions, verdict, user.metadata.generation, now),
    ...(user.metadata.generation === undefined
      ? {}
      : { observedGeneration: user.metadata.generation }),
  };
}

/** The next moment one of the user's Active tokens expires (its activeTokens count changes). */
export function nextTokenExpiry(tokens: readonly TokenTally[], now: Date): Date | undefined {
  return tokens
    .filter(
      (token) =>
        currentTokenPhase(token, now) === ServiceTokenPhase.Active && token.status?.expiresAt,
    )
    .map((token) => new Date(token.status?.expiresAt ?? 0))
    .sort((a, b) => a.getTime() - b.getTime())[0];
}
