import { describe, expect, it } from "vitest";
import { parseServiceToken, parseServiceUser } from "../../../../src/api/index.ts";
import { teamNamespaceDeliveryProblem } from "../../../../src/webhook/admission/team-namespace.ts";
import { decideAdmission } from "../../../../src/webhook/admission/decide.ts";
import { admissionFacts, admissionRequest } from "./fixtures.ts";
import { serviceToken, serviceUser, type UserOptions } from "../fixtures.ts";

const HASH = `sha256:${"a".repeat(64)}`;
const team = (...teams: string[]): Record<string, string> =>
  Object.fromEntries(teams.map((t) => [`team.svctokens.dev/${t}`, ""]));

describe("teamNamespaceDeliveryProblem", () => {
  it.each<{
    name: string;
    user: UserOptions;
    labels: Record<string, string> | undefined;
    clientGenerated?: boolean;
    allowed: boolean;
  }>([
    { name: "namespace of no team, Admin", user: { role: "Admin" }, labels: {}, allowed: true },
    {
      name: "unrelated labels only",
      user: { role: "Admin" },
      labels: { "kubernetes.io/metadata.name": "prod", team: "payments" },
      allowed: true,
    },
    {
      name: "Admin in a team namespace",
      user: { role: "Admin", teams: ["payments"] },
      labels: team("payments"),
      allowed: false,
    },
    {
      name: "Admin without teams in a team namespace",
      user: { role: "Admin" },
      labels: team("payments"),
      allowed: false,
    },
    {
      name: "Admin, client-generated (no Secret)",
      user: { role: "Admin" },
      labels: team("payments"),
      clientGenerated: true,
      allowed: true,
    },
    {
      name: "Member of the namespace's team",
      user: { role: "Member", teams: ["payments"] },
      labels: team("payments"),
      allowed: true,
    },
    {
      name: "Manager of the namespace's team",
      user: { role: "Manager", teams: ["payments"] },
      labels: team("payments"),
      allowed: true,
    },
    {
      name: "Member of another team",
      user: { role: "Member", teams: ["sre"] },
      labels: team("payments"),
      allowed: false,
    },
    {
      name: "Member of the team and another",
      user: { role: "Member", teams: ["payments", "sre"] },
      labels: team("payments"),
      allowed: false,
    },
    {
      name: "Member of one of two teams of the namespace",
      user: { role: "Member", teams: ["payments"] },
      labels: team("payments", "sre"),
      allowed: false,
    },
    {
      name: "teamless Manager in a namespace of two teams",
      user: { role: "Manager" },
      labels: team("payments", "sre"),
      allowed: true,
    },
    {
      name: "labels unknown (fail closed)",
      user: { role: "Member" },
      labels: undefined,
      allowed: false,
    },
  ])("$name → allowed: $allowed", ({ user, labels, clientGenerated, allowed }) => {
    const token = parseServiceToken(serviceToken("ci", clientGenerated ? { tokenHash: HASH } : {}));
    const problem = teamNamespaceDeliveryProblem(
      token,
      parseServiceUser(serviceUser("ci-bot", user)),
      labels,
    );
    expect(problem === undefined).toBe(allowed);
  });
});

describe("admission of a delivery token in a team namespace", () => {
  it("refuses an Admin user's token, saying what, why and what to do", () => {
    const verdict = decideAdmission(
      admissionRequest("CREATE", "servicetokens", { object: serviceToken("ci") }),
      admissionFacts({
        users: [serviceUser("ci-bot", { role: "Admin" })],
        isAdmin: true,
        namespaceLabels: team("payments"),
      }),
    );
    expect(verdict).toEqual({
      allowed: false,
      message:
        'ServiceToken prod/ci cannot be created: namespace prod belongs to team "payments" ' +
        "(label team.svctokens.dev/<team>), whose Managers can mount its Secrets in Pods, and " +
        'ServiceUser "ci-bot" is an Admin, more than they may do: its token\'s delivery ' +
        "Secret would hand them that reach. Create the token in a namespace without team " +
        "labels, or generate the value yourself and set spec.tokenHash (no Secret is written)",
    });
  });

  it("allows a Member of the namespace's only team", () => {
    const verdict = decideAdmission(
      admissionRequest("CREATE", "servicetokens", { object: serviceToken("ci") }),
      admissionFacts({
        users: [serviceUser("ci-bot", { role: "Member", teams: ["payments"] })],
        isAdmin: true,
        namespaceLabels: team("payments"),
      }),
    );
    expect(verdict).toEqual({ allowed: true });
  });
});
