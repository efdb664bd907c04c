// src/controller/lifecycle/: expiry notices and the unused and expired token policies.
// The pure lifecycle decision: given one ServiceToken, its ServiceUser and the time, which
// notices are due, which policy acts, and when the answer next changes. Every "once" is
// remembered in the token's status (expiryNoticeDays, unusedNoticeAt, autoRevokedAt), so a
// restart or a new leader never repeats a notice.
import { ServiceTokenPhase, type ServiceToken, type ServiceUser } from "../../api/index.ts";
import {
  DAY_MS,
  reportedExpired,
  revokedByController,
  tokenLifeFacts,
  unusedFor,
  type TokenLifeFacts,
} from "./token-facts.ts";

/** The operator's lifecycle settings (SVCTOKENS_*_DAYS in src/config.ts). */
export interface LifecycleSettings {
  /** Unused after this many days without authentication (Event Unused, the gauge). */
  unusedAfterDays: number;
  /** Revoke tokens unused this long; undefined: never. */
  revokeUnusedAfterDays?: number | undefined;
  /** Delete tokens Expired this long; undefined: never. */
  deleteExpiredAfterDays?: number | undefined;
}

/** Days before expiry at which ExpiringSoon is sent, widest first. */
export const EXPIRY_NOTICE_DAYS = [30, 7, 1] as const;
export type ExpiryNoticeDays = (typeof EXPIRY_NOTICE_DAYS)[number];

/** Why the controller revoked a token (status.revokedReason). */
export const AUTO_REVOKED_REASON = "Unused";

/** One thing to do, in the order the decision lists them. */
export type LifecycleAction =
  /** Event ExpiringSoon on the token and its ServiceUser; status.expiryNoticeDays. */
  | { kind: "notice-expiring"; days: ExpiryNoticeDays; expiresAt: Date }
  /** Event Unused on the token; status.unusedNoticeAt. */
  | { kind: "notice-unused"; days: number; idleSince: Date; neverUsed: boolean }
  /** spec.revoked: true, then what report-auto-revoked does. */
  | { kind: "revoke-unused"; days: number; idleSince: Date; neverUsed: boolean }
  /** status.revokedReason and autoRevokedAt, Event AutoRevoked (also after a crash). */
  | { kind: "report-auto-revoked" }
  /** The token was restored: status.revokedReason goes. */
  | { kind: "clear-revoked-reason" }
  /** Event AutoDeleted on the token and its ServiceUser, then delete the token. */
  | { kind: "delete-expired"; days: number; expiresAt: Date };

/** The actions due now, and when to look again (undefined: only when the token changes). */
export interface LifecycleDecision {
  actions: LifecycleAction[];
  nextLookAt: Date | undefined;
}

const NOTHING: LifecycleDecision = { actions: [], nextLookAt: undefined };

/** Decides what the lifecycle policies do about `token` at `now`. */
export function decideLifecycle(
  token: ServiceToken,
  user: ServiceUser | undefined,
  now: Date,
  settings: LifecycleSettings,
): LifecycleDecision {
  if (token.metadata.deletionTimestamp !== undefined) return NOTHING;
  const facts = tokenLifeFacts(token, now);
  if (facts === undefined) return NOTHING;
  // A deactivated user's tokens do not authenticate: no notices, and being unused is expected.
  const userActive = user?.spec.active ?? true;
  const watched = facts.phase === ServiceTokenPhase.Active && userActive;
  const actions: LifecycleAction[] = [
    ...(watched ? expiryNotice(token, facts, now) : []),
    ...(watched ? unusedActions(token, facts, now, settings) : []),
    ...revocationBookkeeping(token),
    ...expiredDeletion(token, facts, now, settings),
  ];
  return { actions, nextLookAt: nextBoundary(facts, now, settings) };
}

/** The narrowest notice window `now` is in, if its notice was not sent yet. */
function expiryNotice(token: ServiceToken, facts: TokenLifeFacts, now: Date): LifecycleAction[] {
  const { expiresAt } = facts;
  if (expiresAt === undefined) return [];
  const left = expiresAt.getTime() - now.getTime();
  const window = [...EXPIRY_NOTICE_DAYS].reverse().find((days) => left <= days * DAY_MS);
  if (window === undefined) return [];
  const sent = token.status?.expiryNoticeDays;
  // A narrower notice (or this one) was sent: the wider ones are implied, never sent late.
  if (sent !== undefined && sent <= window) return [];
  return [{ kind: "notice-expiring", days: window, expiresAt }];
}

/**
 * Once per stretch without authentication: a notice, then (with the policy) a revocation. A
 * stretch ends with an authentication; a notice or revocation at or after its start belongs
 * to it. So a token an Admin restores after the policy revoked it stays until it is used.
 */
function unusedActions(
  token: ServiceToken,
  facts: TokenLifeFacts,
  now: Date,
  settings: LifecycleSettings,
): LifecycleAction[] {
  const status = token.status ?? {};
  const { idleSince, neverUsed } = facts;
  const inThisStretch = (at: string | undefined): boolean =>
    at !== undefined && new Date(at).getTime() >= idleSince.getTime();
  const actions: LifecycleAction[] = [];
  const days = settings.unusedAfterDays;
  if (unusedFor(facts, days, now) && !inThisStretch(status.unusedNoticeAt)) {
    actions.push({ kind: "notice-unused", days, idleSince, neverUsed });
  }
  const revokeDays = settings.revokeUnusedAfterDays;
  if (
    revokeDays !== undefined &&
    unusedFor(facts, revokeDays, now) &&
    !inThisStretch(status.autoRevokedAt)
  ) {
    actions.push({ kind: "revoke-unused", days: revokeDays, idleSince, neverUsed });
  }
  return actions;
}

/** Status that follows spec.revoked: the reason while the policy's revocation stands. */
function revocationBookkeeping(token: ServiceToken): LifecycleAction[] {
  const reason = token.status?.revokedReason;
  if (token.spec.revoked) {
    return revokedByController(token) && reason !== AUTO_REVOKED_REASON
      ? [{ kind: "report-auto-revoked" }]
      : [];
  }
  return reason === undefined ? [] : [{ kind: "clear-revoked-reason" }];
}

/**
 * Deletes a token Expired for the configured days. Never an Active or a revoked one (an Admin
 * revoked it and may want it kept), and only once its status says Expired, as admission
 * checks: the controller's clock and the webhook's then agree.
 */
function expiredDeletion(
  token: ServiceToken,
  facts: TokenLifeFacts,
  now: Date,
  settings: LifecycleSettings,
): LifecycleAction[] {
  const days = settings.deleteExpiredAfterDays;
  const { expiresAt } = facts;
  if (days === undefined || expiresAt === undefined || token.spec.revoked) return [];
  if (facts.phase !== ServiceTokenPhase.Expired || !reportedExpired(token)) return [];
  if (now.getTime() < expiresAt.getTime() + days * DAY_MS) return [];
  return [{ kind: "delete-expired", days, expiresAt }];
}

/**
 * The next moment after `now` at which a window opens or a policy's limit passes. An Active
 * token has all of them; an Expired one only its deletion; a Revoked one none (restoring it
 * is a change, which wakes the sweep anyway).
 */
function nextBoundary(
  facts: TokenLifeFacts,
  now: Date,
  settings: LifecycleSettings,
): Date | undefined {
  const moments: number[] = [];
  const expiry = facts.expiresAt?.getTime();
  const deleteDays = settings.deleteExpiredAfterDays;
  if (expiry !== undefined && deleteDays !== undefined) moments.push(expiry + deleteDays * DAY_MS);
  if (facts.phase === ServiceTokenPhase.Active) {
    if (expiry !== undefined) {
      moments.push(...EXPIRY_NOTICE_DAYS.map((days) => expiry - days * DAY_MS), expiry);
    }
    const idle = facts.idleSince.getTime();
    for (const days of [settings.unusedAfterDays, settings.revokeUnusedAfterDays]) {
      if (days !== undefined) moments.push(idle + days * DAY_MS);
    }
  }
  const ahead = moments.filter((moment) => moment > now.getTime());
  return ahead.length === 0 ? undefined : new Date(Math.min(...ahead));
}
