import { describe, expect, it } from "vitest";
import { namespaceTeams } from "../../../src/domain/team-namespace.ts";

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
