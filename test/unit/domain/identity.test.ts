import { describe, expect, it } from "vitest";
import type { ServiceUserSpec } from "../../../src/api/index.ts";
import {
  serviceUserGroups,
  serviceUserUsername,
  teamRoleGroup,
} from "../../../src/domain/identity.ts";

describe("serviceUserUsername", () => {
  it.each([
    { name: "ci-bot", username: "ci-bot@service" },
    { name: "scim.okta", username: "scim.okta@service" },
    { name: "a", username: "a@service" },
  ])("$name → $username", ({ name, username }) => {
    expect(serviceUserUsername(name)).toBe(username);
  });
});

describe("serviceUserGroups", () => {
  it.each<{ spec: Pick<ServiceUserSpec, "role" | "teams">; groups: string[] }>([
    {
      spec: { role: "Admin" },
      groups: ["svctokens:service-users", "svctokens:role:admin"],
    },
    {
      spec: { role: "Manager", teams: [] },
      groups: ["svctokens:service-users", "svctokens:role:manager"],
    },
    {
      spec: { role: "Member", teams: ["payments"] },
      groups: [
        "svctokens:service-users",
        "svctokens:role:member",
        "svctokens:team:payments",
        "svctokens:team:payments:member",
      ],
    },
    {
      // Teams keep the order the spec lists them in (not sorted).
      spec: { role: "Admin", teams: ["zeta", "alpha", "mid-team"] },
      groups: [
        "svctokens:service-users",
        "svctokens:role:admin",
        "svctokens:team:zeta",
        "svctokens:team:alpha",
        "svctokens:team:mid-team",
        "svctokens:team:zeta:admin",
        "svctokens:team:alpha:admin",
        "svctokens:team:mid-team:admin",
      ],
    },
  ])("$spec.role with teams $spec.teams", ({ spec, groups }) => {
    expect(serviceUserGroups(spec)).toEqual(groups);
  });

  it("returns a fresh array each time (callers may mutate it)", () => {
    const spec = { role: "Member" as const, teams: ["a"] };
    const first = serviceUserGroups(spec);
    first.push("x");
    expect(serviceUserGroups(spec)).toEqual([
      "svctokens:service-users",
      "svctokens:role:member",
      "svctokens:team:a",
      "svctokens:team:a:member",
    ]);
    expect(spec.teams).toEqual(["a"]);
  });
});

describe("teamRoleGroup", () => {
  it.each([
    { team: "payments", role: "Manager" as const, group: "svctokens:team:payments:manager" },
    { team: "sre", role: "Member" as const, group: "svctokens:team:sre:member" },
    { team: "a-b", role: "Admin" as const, group: "svctokens:team:a-b:admin" },
  ])("$team, $role → $group", ({ team, role, group }) => {
    expect(teamRoleGroup(team, role)).toBe(group);
  });
});
