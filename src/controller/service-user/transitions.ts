// Pure: which Events a ServiceUser's change deserves, read from the status the controller last
// wrote (what the world saw) against the spec (what is asked now). Level-based: the same
// comparison holds after a restart, and once status catches up there is nothing left to say.
import {
  GROUP_ROLE_PREFIX,
  ServiceUserPhase,
  ServiceUserRole,
  type ServiceUser,
} from "../../api/index.ts";
import { EventReason } from "../events.ts";

/** One Event to record about the ServiceUser. */
export interface UserEvent {
  reason: EventReason;
  note: string;
}

/** Deactivated / Reactivated / RoleChanged, for what changed since the last written status. */
export function userTransitionEvents(user: ServiceUser): UserEvent[] {
  const status = user.status;
  if (status?.phase === undefined) return []; // First status: nothing changed, it just began.
  const events: UserEvent[] = [];
  if (status.phase === ServiceUserPhase.Active && !user.spec.active) {
    events.push({
      reason: EventReason.Deactivated,
      note: "Service User deactivated: its tokens no longer authenticate.",
    });
  }
  if (status.phase === ServiceUserPhase.Deactivated && user.spec.active) {
    events.push({
      reason: EventReason.Reactivated,
      note: "Service User reactivated: its Active tokens authenticate again (revoked tokens stay revoked).",
    });
  }
  const before = reportedRole(status.groups);
  if (before !== undefined && before !== user.spec.role) {
    events.push({
      reason: EventReason.RoleChanged,
      note: `Role changed from ${before} to ${user.spec.role}.`,
    });
  }
  return events;
}

/** The role named by the `svctokens:role:<role>` group in status, if any. */
function reportedRole(groups: readonly string[] | undefined): ServiceUserRole | undefined {
  const group = groups?.find((g) => g.startsWith(GROUP_ROLE_PREFIX));
  const lower = group?.slice(GROUP_ROLE_PREFIX.length);
  return Object.values(ServiceUserRole).find((role) => role.toLowerCase() === lower);
}
