import { describe, expect, it } from "vitest";
import {
  bindingUpToDate,
  desiredTeamRoleBindings,
  roleRefMatches,
  type TeamRoleBinding,
} from "../../../../src/controller/team-bindings/desired.ts";
import type { KubeObject } from "../../../../src/k8s/object.ts";

const OPERATOR = "svctokens-system";
const namespace = (name: string, labels: Record<string, string> = {}): KubeObject => ({
  metadata: { name, uid: `uid-${name}`, labels },
});
const RBAC = "rbac.authorization.k8s.io";
const group = (name: string): object => ({ apiGroup: RBAC, kind: "Group", name });

/** A short view of a plan: binding → role ← groups. */
function summary(bindings: TeamRoleBinding[]): string[] {
  return bindings.map(
    (b) =>
      `${b.metadata.namespace}/${b.metadata.name} → ${b.roleRef.name} ← ` +
      b.subjects.map((s) => s.name).join(","),
  );
}

describe("desiredTeamRoleBindings", () => {
  it.each<{ name: string; labels: Record<string, string>; bindings: string[]; refused?: string[] }>(
    [
      { name: "apps", labels: {}, bindings: [] },
      { name: "apps", labels: { "app.kubernetes.io/name": "x" }, bindings: [] },
      {
        name: "apps",
        labels: { "team.svctokens.dev/payments": "" },
        bindings: [
          "apps/svctokens:team:payments:member → view ← svctokens:team:payments:member",
          "apps/svctokens:team:payments:manager → svctokens:manager ← " +
            "svctokens:team:payments:manager,svctokens:team:payments:admin",
        ],
      },
      {
        name: "shared",
        labels: { "team.svctokens.dev/sre": "", "team.svctokens.dev/apps": "true" },
        bindings: [
          "shared/svctokens:team:apps:member → view ← svctokens:team:apps:member",
          "shared/svctokens:team:apps:manager → svctokens:manager ← " +
            "svctokens:team:apps:manager,svctokens:team:apps:admin",
          "shared/svctokens:team:sre:member → view ← svctokens:team:sre:member",
          "shared/svctokens:team:sre:manager → svctokens:manager ← " +
            "svctokens:team:sre:manager,svctokens:team:sre:admin",
        ],
      },
      // Never in the operator's namespace or kube-*: refused, with the teams to report.
      {
        name: OPERATOR,
        labels: { "team.svctokens.dev/payments": "" },
        bindings: [],
        refused: ["payments"],
      },
      {
        name: "kube-system",
        labels: { "team.svctokens.dev/payments": "", "team.svctokens.dev/sre": "" },
        bindings: [],
        refused: ["payments", "sre"],
      },
      {
        name: "kube-public",
        labels: { "team.svctokens.dev/payments": "" },
        bindings: [],
        refused: ["payments"],
      },
      // No team label: nothing to refuse, even there.
      { name: "kube-system", labels: {}, bindings: [] },
      // Only names that start with kube- are the system's.
      {
        name: "my-kube-tools",
        labels: { "team.svctokens.dev/sre": "" },
        bindings: [
          "my-kube-tools/svctokens:team:sre:member → view ← svctokens:team:sre:member",
          "my-kube-tools/svctokens:team:sre:manager → svctokens:manager ← " +
            "svctokens:team:sre:manager,svctokens:team:sre:admin",
        ],
      },
    ],
  )("$name $labels", ({ name, labels, bindings, refused }) => {
    const plan = desiredTeamRoleBindings(namespace(name, labels), OPERATOR);
    expect(summary(plan.bindings)).toEqual(bindings);
    expect(plan.refused?.teams).toEqual(refused);
    if (refused) expect(plan.refused?.reason).toMatch(/namespace/);
  });

  it("labels every binding as the controller's, with its team", () => {
    const [binding] = desiredTeamRoleBindings(
      namespace("apps", { "team.svctokens.dev/payments": "" }),
      OPERATOR,
    ).bindings;
    expect(binding).toEqual({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: {
        name: "svctokens:team:payments:member",
        namespace: "apps",
        labels: { "app.kubernetes.io/managed-by": "svctokens", "svctokens.dev/team": "payments" },
      },
      roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: "view" },
      subjects: [group("svctokens:team:payments:member")],
    });
  });
});

describe("bindingUpToDate", () => {
  const [member, manager] = desiredTeamRoleBindings(
    namespace("apps", { "team.svctokens.dev/payments": "" }),
    OPERATOR,
  ).bindings as [TeamRoleBinding, TeamRoleBinding];
  // As the API returns it: more labels and fields, subjects in another order.
  const cached = (changes: Partial<KubeObject>): KubeObject => ({
    ...manager,
    metadata: {
      ...manager.metadata,
      uid: "uid-binding",
      resourceVersion: "7",
      labels: { ...manager.metadata.labels, extra: "x" },
    },
    subjects: [...manager.subjects].reverse(),
    ...changes,
  });

  it.each<{ name: string; existing: KubeObject; upToDate: boolean; sameRoleRef: boolean }>([
    {
      name: "same, as the API returns it",
      existing: cached({}),
      upToDate: true,
      sameRoleRef: true,
    },
    {
      name: "a subject added by someone",
      existing: cached({ subjects: [...manager.subjects, group("system:authenticated")] }),
      upToDate: false,
      sameRoleRef: true,
    },
    {
      name: "a subject missing",
      existing: cached({ subjects: [manager.subjects[0]] }),
      upToDate: false,
      sameRoleRef: true,
    },
    {
      name: "another role",
      existing: cached({ roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: "edit" } }),
      upToDate: false,
      sameRoleRef: false,
    },
    {
      name: "team label changed",
      existing: cached({
        metadata: {
          ...manager.metadata,
          labels: { ...manager.metadata.labels, "svctokens.dev/team": "x" },
        },
      }),
      upToDate: false,
      sameRoleRef: true,
    },
  ])("$name → up to date: $upToDate", ({ existing, upToDate, sameRoleRef }) => {
    expect(bindingUpToDate(existing, manager)).toBe(upToDate);
    expect(roleRefMatches(existing, manager)).toBe(sameRoleRef);
  });

  it("a member binding is not the manager binding", () => {
    expect(bindingUpToDate(member, manager)).toBe(false);
  });
});
