// Which teams a namespace belongs to: its `team.svctokens.dev/<team>` labels (DESIGN.md).
import { DNS_LABEL_PATTERN, TEAM_NAMESPACE_LABEL_PREFIX } from "../api/index.ts";

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
