// Who a Service User is to Kubernetes: its username and groups (DESIGN.md). The controller
// reports them in status; the webhook answers them from the spec, so a role or team change
// applies to the very next request.
import {
  GROUP_ROLE_PREFIX,
  GROUP_SERVICE_USERS,
  GROUP_TEAM_PREFIX,
  SERVICE_USER_USERNAME_SUFFIX,
  type ServiceUserSpec,
} from "../api/index.ts";

/** `<name>@service`. */
export function serviceUserUsername(name: string): string {
  return `${name}${SERVICE_USER_USERNAME_SUFFIX}`;
}

/** `svctokens:service-users`, the role group, then one group per team. */
export function serviceUserGroups(spec: Pick<ServiceUserSpec, "role" | "teams">): string[] {
  return [
    GROUP_SERVICE_USERS,
    `${GROUP_ROLE_PREFIX}${spec.role.toLowerCase()}`,
    ...(spec.teams ?? []).map((team) => `${GROUP_TEAM_PREFIX}${team}`),
  ];
}
