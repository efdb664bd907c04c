// What the lifecycle Events say: what happened, why, and what to do. They name tokens by
// namespace/name and times in RFC 3339; never a value.
import { rfc3339 } from "../../k8s/time.ts";
import type { LifecycleAction } from "./decide.ts";

type Action<K extends LifecycleAction["kind"]> = Extract<LifecycleAction, { kind: K }>;

const dayCount = (days: number): string => (days === 1 ? "1 day" : `${String(days)} days`);

/** ExpiringSoon on the token. */
export function expiringNote(action: Action<"notice-expiring">): string {
  return (
    `Token expires within ${dayCount(action.days)} (at ${rfc3339(action.expiresAt)}): create ` +
    "its successor and move its users over before then; expiry cannot be extended."
  );
}

/** ExpiringSoon on the ServiceUser. */
export function userExpiringNote(tokenRef: string, action: Action<"notice-expiring">): string {
  return (
    `ServiceToken ${tokenRef} expires within ${dayCount(action.days)} ` +
    `(at ${rfc3339(action.expiresAt)}): create its successor before then.`
  );
}

/** How long unused, in words: "never used since it was generated at …" or "last used at …". */
function idleText(action: { idleSince: Date; neverUsed: boolean }): string {
  return action.neverUsed
    ? `never used since it was generated at ${rfc3339(action.idleSince)}`
    : `last used at ${rfc3339(action.idleSince)}`;
}

/** Unused on the token. */
export function unusedNote(action: Action<"notice-unused">, revokeAfterDays?: number): string {
  const policy =
    revokeAfterDays === undefined
      ? ""
      : ` The operator revokes tokens unused for ${dayCount(revokeAfterDays)}.`;
  return (
    `Token not used for ${dayCount(action.days)} or more (${idleText(action)}): revoke it ` +
    `(spec.revoked: true) if nothing needs it.${policy}`
  );
}

/** AutoRevoked on the token. */
export function autoRevokedNote(days: number | undefined): string {
  const span = days === undefined ? "" : ` for ${dayCount(days)} or more`;
  return (
    `Token revoked by the operator's unused-token policy: not used${span} ` +
    "(SVCTOKENS_REVOKE_UNUSED_AFTER_DAYS). An Admin may restore it (spec.revoked: false); " +
    "the policy then leaves it alone until it is used again."
  );
}

/** AutoDeleted on the token and its ServiceUser. */
export function autoDeletedNote(tokenRef: string, action: Action<"delete-expired">): string {
  return (
    `Deleting ServiceToken ${tokenRef}: it expired at ${rfc3339(action.expiresAt)}, ` +
    `${dayCount(action.days)} or more ago (SVCTOKENS_DELETE_EXPIRED_AFTER_DAYS).`
  );
}
