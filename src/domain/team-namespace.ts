// Which teams a namespace belongs to: its `team.svctokens.dev/<team>` labels (DESIGN.md).
import {
  DNS_LABEL_PATTERN,
  ServiceUserRole,
  TEAM_NAMESPACE_LABEL_PREFIX,
  type ServiceUserSpec,
} from "../api/index.ts";

/**
 * The teams of a namespace, sorted: the names after `team.svctokens.dev/` in its label keys
 * (the label's value is not read). A name that is no valid team name is not a team.
 */
export function namespaceTeams(labels: Readonly<Record<string, string>> | undefined): string[] {
  return Object.keys(labels ?? {})
    .filter((key) => key.startsWith(TEAM_NAMESPACE_LABEL_PREFIX))
    .map((key) => key.slice(TEAM_NAMESPACE_LABEL_PREFIX.length))
    .filter((team) => team.length <= 63 && DNS_LABEL_PATTERN.test(team))
    .sort();
}

/**
 * Whether a token of a user with `spec`, readable by the Managers of a namespace of `teams`
 * (they mount its Secrets in Pods), would give them more than they have (decision 24). Fine: a
 * namespace of no team, and a non-Admin user whose teams are all the namespace's one team
 * (a non-Admin user without teams too).
 */
export function exceedsNamespaceTeams(
  spec: Pick<ServiceUserSpec, "role" | "teams">,
  teams: readonly string[],
): boolean {
  if (teams.length === 0) return false;
  if (spec.role === ServiceUserRole.Admin) return true;
  return !(spec.teams ?? []).every((team) => teams.length === 1 && team === teams[0]);
}
