// Delivery Secrets in team namespaces: a team's Managers can mount any Secret there in a Pod, so
// a token there must not be worth more than what those Managers already have (decision 24).
import {
  ServiceUserRole,
  TEAM_NAMESPACE_LABEL_PREFIX,
  type ServiceToken,
  type ServiceUser,
} from "../../api/index.ts";
import { exceedsNamespaceTeams, namespaceTeams } from "../../domain/team-namespace.ts";
import type { ClusterFacts } from "../cache/facts.ts";
import { listNames, tokenRef } from "./common.ts";
import type { AdmissionRequest } from "./review.ts";

type Labels = Readonly<Record<string, string>>;

/**
 * The namespaces whose labels deciding `request` needs: a ServiceToken create with a delivery
 * Secret needs its own; a ServiceUser whose role or teams change needs those of its tokens with
 * delivery Secrets.
 */
export function namespacesToRead(request: AdmissionRequest, cluster: ClusterFacts): string[] {
  const { resource } = request.resource;
  if (resource === "servicetokens" && request.operation === "CREATE") {
    return request.namespace !== undefined && !hasTokenHash(request.object)
      ? [request.namespace]
      : [];
  }
  // A new user's waiting tokens (admitted before it existed) are checked against it.
  const userCreated = resource === "serviceusers" && request.operation === "CREATE";
  if (
    resource === "serviceusers" &&
    (userCreated || (request.operation === "UPDATE" && reachChanges(request)))
  ) {
    const tokens = cluster.tokensOfUser(request.name ?? "").filter((t) => !hasTokenHash(t));
    return [...new Set(tokens.map((token) => token.metadata.namespace))].sort();
  }
  return [];
}

function hasTokenHash(object: unknown): boolean {
  const spec = (object as { spec?: { tokenHash?: unknown } } | null)?.spec;
  return spec?.tokenHash !== undefined;
}

function reachChanges(request: AdmissionRequest): boolean {
  const reach = (object: unknown): string => {
    const spec = (object as { spec?: { role?: unknown; teams?: unknown } } | null)?.spec;
    return JSON.stringify([spec?.role, spec?.teams ?? []]);
  };
  return reach(request.object) !== reach(request.oldObject);
}

/** What decides a user's reach: its role and teams. */
function reachOf(user: ServiceUser): [string, readonly string[]] {
  return [user.spec.role, user.spec.teams ?? []];
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
  namespaceLabels: Labels | undefined,
): string | undefined {
  if (token.spec.tokenHash !== undefined) return undefined;
  const namespace = token.metadata.namespace;
  if (namespaceLabels === undefined) {
    return `the labels of namespace ${namespace} could not be read to check its teams; try again in a moment`;
  }
  const teams = namespaceTeams(namespaceLabels);
  if (!exceedsNamespaceTeams(user.spec, teams)) return undefined;
  const userTeams = user.spec.teams ?? [];

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

/**
 * Why a role or teams change of a ServiceUser is refused, if it is: a token of the user with a
 * delivery Secret in a team namespace, fine before the change, would hand the namespace's
 * Managers the new reach. Tokens that were already exposed (a namespace labelled later) do not
 * block a change, so lowering a role always works.
 */
export function userChangeDeliveryProblem(
  old: ServiceUser,
  user: ServiceUser,
  tokens: readonly ServiceToken[],
  labelsOf: ((namespace: string) => Labels | undefined) | undefined,
): string | undefined {
  if (JSON.stringify(reachOf(old)) === JSON.stringify(reachOf(user))) return undefined;
  const exposed = tokens.filter((token) => {
    if (token.spec.tokenHash !== undefined) return false;
    const labels = labelsOf?.(token.metadata.namespace);
    if (labels === undefined) return true; // not read: fail closed
    return (
      teamNamespaceDeliveryProblem(token, old, labels) === undefined &&
      teamNamespaceDeliveryProblem(token, user, labels) !== undefined
    );
  });
  if (exposed.length === 0) return undefined;
  return (
    `ServiceUser ${user.metadata.name} cannot get this role and these teams: its tokens ` +
    `${listNames(exposed.map(tokenRef))} have delivery Secrets in team namespaces (label ` +
    `${TEAM_NAMESPACE_LABEL_PREFIX}<team>), whose Managers can mount them in Pods and would ` +
    `gain the new reach. Revoke and delete those tokens and create new ones in a namespace ` +
    `without team labels (or with spec.tokenHash) first`
  );
}

/**
 * Why `user` may not be created: tokens that were admitted while it did not exist yet (any
 * apply order) have delivery Secrets in team namespaces that its reach would be exposed by.
 */
export function newUserDeliveryProblem(
  user: ServiceUser,
  waiting: readonly ServiceToken[],
  labelsOf: ((namespace: string) => Labels | undefined) | undefined,
): string | undefined {
  const exposed = waiting.filter(
    (token) =>
      teamNamespaceDeliveryProblem(token, user, labelsOf?.(token.metadata.namespace)) !== undefined,
  );
  if (exposed.length === 0) return undefined;
  return (
    `ServiceUser ${user.metadata.name} cannot be created with this role and these teams: its ` +
    `tokens ${listNames(exposed.map(tokenRef))}, applied before it, would have delivery ` +
    `Secrets in team namespaces (label ${TEAM_NAMESPACE_LABEL_PREFIX}<team>) whose Managers ` +
    `can mount them in Pods. Move those tokens to a namespace without team labels (or use ` +
    `spec.tokenHash), or give the user a role and teams that namespace's Managers already have`
  );
}
