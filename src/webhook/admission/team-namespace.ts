// Delivery Secrets in team namespaces: a team's Managers can mount any Secret there in a Pod, so
// a token there must not be worth more than what those Managers already have (decision 24).
import {
  ServiceUserRole,
  TEAM_NAMESPACE_LABEL_PREFIX,
  type ServiceToken,
  type ServiceUser,
} from "../../api/index.ts";
import { namespaceTeams } from "../../domain/team-namespace.ts";

/** Whether deciding this ServiceToken create needs its namespace's labels. */
export function needsNamespaceLabels(object: unknown): boolean {
  const spec = (object as { spec?: { tokenHash?: unknown } } | null)?.spec;
  return spec?.tokenHash === undefined;
}

/**
 * Why `token` (of `user`) may not get a delivery Secret in its namespace, or undefined when it
 * may. Allowed: a client-generated token (spec.tokenHash: no Secret), a namespace of no team,
 * and a non-Admin user whose teams are all the namespace's one team (teamless users too). Every
 * reader of the Secret (a Manager of a team of the namespace) then gains nothing.
 * `namespaceLabels` undefined means they could not be read: refused (fail closed).
 */
export function teamNamespaceDeliveryProblem(
  token: ServiceToken,
  user: ServiceUser,
  namespaceLabels: Readonly<Record<string, string>> | undefined,
): string | undefined {
  if (token.spec.tokenHash !== undefined) return undefined;
  const namespace = token.metadata.namespace;
  if (namespaceLabels === undefined) {
    return `the labels of namespace ${namespace} could not be read to check its teams; try again in a moment`;
  }
  const teams = namespaceTeams(namespaceLabels);
  if (teams.length === 0) return undefined;
  const userTeams = user.spec.teams ?? [];
  const onlyOwnTeam = userTeams.every((team) => teams.length === 1 && team === teams[0]);
  if (user.spec.role !== ServiceUserRole.Admin && onlyOwnTeam) return undefined;

  const nsTeams = teams.map((team) => `"${team}"`).join(", ");
  const reach =
    user.spec.role === ServiceUserRole.Admin
      ? "is an Admin"
      : `has role ${user.spec.role} in teams ${userTeams.map((team) => `"${team}"`).join(", ")}`;
  return (
    `namespace ${namespace} belongs to team ${nsTeams} (label ${TEAM_NAMESPACE_LABEL_PREFIX}` +
    `<team>), whose Managers can mount its Secrets in Pods, and ServiceUser ` +
    `"${user.metadata.name}" ${reach}, more than they may do: its token's delivery Secret ` +
    `would hand them that reach. Create the token in a namespace without team labels, or ` +
    `generate the value yourself and set spec.tokenHash (no Secret is written)`
  );
}
