// src/domain/: rules both processes share (identity, hash records, token life, trust).
// Who a Service User is to Kubernetes: its username and groups (DESIGN.md). The controller
// reports them in status; the webhook answers them from the spec, so a role or team change
// applies to the very next request.
import {
  GROUP_ROLE_PREFIX,
  GROUP_SERVICE_USERS,
  GROUP_TEAM_PREFIX,
  SERVICE_USER_USERNAME_SUFFIX,
  type ServiceUserRole,
  type ServiceUserSpec,
} from "../api/index.ts";

/** `<name>@service`. */
export function serviceUserUsername(name: string): string {
  return `${name}${SERVICE_USER_USERNAME_SUFFIX}`;
}

/** `svctokens:team:<team>:<role>`: what team namespaces bind (the role scoped to the team). */
export function teamRoleGroup(team: string, role: ServiceUserRole): string {
  return `${GROUP_TEAM_PREFIX}${team}:${role.toLowerCase()}`;
}

/**
 * `svctokens:service-users`, the role group, one group per team, then the role within each
 * team. Only the combined `…:<team>:<role>` groups are bound in team namespaces, so a role
 * reaches only the namespaces of the user's own teams.
 */
export function serviceUserGroups(spec: Pick<ServiceUserSpec, "role" | "teams">): string[] {
  // A loop, not spreads of mapped copies: the webhook builds this on every authentication.
  const groups = [GROUP_SERVICE_USERS, `${GROUP_ROLE_PREFIX}${spec.role.toLowerCase()}`];
  const teams = spec.teams ?? [];
  for (const team of teams) groups.push(`${GROUP_TEAM_PREFIX}${team}`);
  for (const team of teams) groups.push(teamRoleGroup(team, spec.role));
  return groups;
}
