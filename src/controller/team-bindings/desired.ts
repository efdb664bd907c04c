// Which RoleBindings a team namespace gets, and the namespaces where none may ever be made.
import {
  LABEL_TEAM,
  MANAGED_BY_LABEL_KEY,
  MANAGED_BY_LABEL_VALUE,
  MANAGER_CLUSTER_ROLE,
  MEMBER_CLUSTER_ROLE,
  ServiceUserRole,
} from "../../api/index.ts";
import { teamRoleGroup } from "../../domain/identity.ts";
import { namespaceTeams } from "../../domain/team-namespace.ts";
import type { KubeObject } from "../../k8s/object.ts";

const RBAC_GROUP = "rbac.authorization.k8s.io";

/** A RoleBinding as the controller writes it (server-side apply body). */
export interface TeamRoleBinding extends KubeObject {
  apiVersion: "rbac.authorization.k8s.io/v1";
  kind: "RoleBinding";
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  roleRef: { apiGroup: string; kind: "ClusterRole"; name: string };
  subjects: { apiGroup: string; kind: "Group"; name: string }[];
}

/** What a namespace should hold, and the teams refused there (reported as a Warning Event). */
export interface TeamBindingsPlan {
  bindings: TeamRoleBinding[];
  refused?: { teams: string[]; reason: string };
}

/**
 * Why no team may be given rights in this namespace, if so: the operator's own namespace (a
 * Pod there runs as the controller) and kube-system/kube-* (the cluster's own identities).
 */
export function protectedNamespaceReason(
  name: string,
  operatorNamespace: string,
): string | undefined {
  if (name === operatorNamespace) {
    return `it is the svctokens operator's namespace, where rights would reach the operator's own identities and hash records`;
  }
  if (name.startsWith("kube-")) {
    return `it is a Kubernetes system namespace (kube-*), where rights would reach the cluster's own identities`;
  }
  return undefined;
}

/** The controller-kept RoleBindings of `namespace` (a Namespace as the API returns it). */
export function desiredTeamRoleBindings(
  namespace: KubeObject,
  operatorNamespace: string,
): TeamBindingsPlan {
  const name = namespace.metadata?.name ?? "";
  const teams = namespaceTeams(namespace.metadata?.labels);
  if (teams.length === 0) return { bindings: [] };
  const reason = protectedNamespaceReason(name, operatorNamespace);
  if (reason !== undefined) return { bindings: [], refused: { teams, reason } };
  return {
    bindings: teams.flatMap((team) => [
      teamBinding(name, team, "member", MEMBER_CLUSTER_ROLE, [ServiceUserRole.Member]),
      teamBinding(name, team, "manager", MANAGER_CLUSTER_ROLE, [
        ServiceUserRole.Manager,
        ServiceUserRole.Admin,
      ]),
    ]),
  };
}

/** Name of a team's binding: `svctokens:team:<team>:member|manager`. */
export function teamBindingName(team: string, kind: "member" | "manager"): string {
  return `svctokens:team:${team}:${kind}`;
}

function teamBinding(
  namespace: string,
  team: string,
  kind: "member" | "manager",
  clusterRole: string,
  roles: ServiceUserRole[],
): TeamRoleBinding {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: {
      name: teamBindingName(team, kind),
      namespace,
      labels: { [MANAGED_BY_LABEL_KEY]: MANAGED_BY_LABEL_VALUE, [LABEL_TEAM]: team },
    },
    roleRef: { apiGroup: RBAC_GROUP, kind: "ClusterRole", name: clusterRole },
    subjects: roles.map((role) => ({
      apiGroup: RBAC_GROUP,
      kind: "Group",
      name: teamRoleGroup(team, role),
    })),
  };
}

/** Whether a cached binding already says what `desired` says (compare before write). */
export function bindingUpToDate(existing: KubeObject, desired: TeamRoleBinding): boolean {
  const labels = existing.metadata?.labels ?? {};
  const labelsMatch = Object.entries(desired.metadata.labels).every(
    ([key, value]) => labels[key] === value,
  );
  return (
    labelsMatch &&
    roleRefMatches(existing, desired) &&
    JSON.stringify(subjectKeys(existing.subjects)) === JSON.stringify(subjectKeys(desired.subjects))
  );
}

/** roleRef is immutable: a binding whose roleRef differs must be deleted, then created. */
export function roleRefMatches(existing: KubeObject, desired: TeamRoleBinding): boolean {
  const ref = existing.roleRef as { kind?: string; name?: string } | undefined;
  return ref?.kind === desired.roleRef.kind && ref.name === desired.roleRef.name;
}

function subjectKeys(subjects: unknown): string[] {
  if (!Array.isArray(subjects)) return [];
  return subjects
    .map((s: { kind?: string; name?: string; namespace?: string }) =>
      [s.kind ?? "", s.name ?? "", s.namespace ?? ""].join("/"),
    )
    .sort();
}
