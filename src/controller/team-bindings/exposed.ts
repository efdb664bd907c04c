// Delivery tokens a team namespace's Managers can read but should not: left by a later relabel.
import { parseServiceToken, parseServiceUser, type ServiceUser } from "../../api/index.ts";
import { exceedsNamespaceTeams } from "../../domain/team-namespace.ts";
import type { KubeObject } from "../../k8s/object.ts";

/**
 * Names of the ServiceTokens in `namespace` (of teams `teams`) whose delivery Secret gives
 * the namespace's Managers more than they have (decision 24): admission refuses creating them,
 * but labelling a namespace later, or adding a team to it, exposes tokens already there.
 * Unreadable tokens and tokens of unknown users are left to their own reconcilers.
 */
export function exposedDeliveryTokens(
  namespace: string,
  teams: readonly string[],
  tokens: readonly KubeObject[],
  userOf: (name: string) => KubeObject | undefined,
): string[] {
  if (teams.length === 0) return [];
  const exposed: string[] = [];
  for (const raw of tokens) {
    if (raw.metadata?.namespace !== namespace) continue;
    try {
      const token = parseServiceToken(raw);
      if (token.spec.tokenHash !== undefined) continue;
      const rawUser = userOf(token.spec.serviceUser);
      const user: ServiceUser | undefined = rawUser ? parseServiceUser(rawUser) : undefined;
      if (user && exceedsNamespaceTeams(user.spec, teams)) exposed.push(token.metadata.name);
    } catch {
      // reported on the object itself
    }
  }
  return exposed.sort();
}
