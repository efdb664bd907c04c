import { describe, expect, it } from "vitest";
import { exceedsNamespaceTeams, namespaceTeams } from "../../../src/domain/team-namespace.ts";

describe("namespaceTeams", () => {
  it.each<{ labels: Record<string, string> | undefined; teams: string[] }>([
    { labels: undefined, teams: [] },
    { labels: {}, teams: [] },
    { labels: { "kubernetes.io/metadata.name": "x", team: "payments" }, teams: [] },
    { labels: { "team.svctokens.dev/payments": "" }, teams: ["payments"] },
    // The value is not read: "false" is still a team label.
    { labels: { "team.svctokens.dev/payments": "false" }, teams: ["payments"] },
    {
      labels: { "team.svctokens.dev/sre": "yes", "team.svctokens.dev/apps": "" },
      teams: ["apps", "sre"],
    },
    // Label names allow what team names do not (upper case, '_', '.'): not teams.
    { labels: { "team.svctokens.dev/Pay_ments": "", "team.svctokens.dev/a.b": "" }, teams: [] },
    { labels: { "other.svctokens.dev/payments": "" }, teams: [] },
  ])("$labels → $teams", ({ labels, teams }) => {
    expect(namespaceTeams(labels)).toEqual(teams);
  });
});

describe("exceedsNamespaceTeams", () => {
  it.each<{
    role: "Admin" | "Manager" | "Member";
    teams?: string[];
    ns: string[];
    exceeds: boolean;
  }>([
    { role: "Admin", ns: [], exceeds: false },
    { role: "Admin", teams: ["a"], ns: ["a"], exceeds: true },
    { role: "Manager", teams: ["a"], ns: ["a"], exceeds: false },
    { role: "Member", teams: ["a"], ns: ["a"], exceeds: false },
    { role: "Member", teams: ["b"], ns: ["a"], exceeds: true },
    { role: "Member", teams: ["a", "b"], ns: ["a"], exceeds: true },
    { role: "Member", teams: ["a"], ns: ["a", "b"], exceeds: true },
    { role: "Manager", ns: ["a", "b"], exceeds: false },
  ])("$role of $teams in a namespace of $ns → $exceeds", ({ role, teams, ns, exceeds }) => {
    expect(exceedsNamespaceTeams(teams ? { role, teams } : { role }, ns)).toBe(exceeds);
  });
});
