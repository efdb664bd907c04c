import { describe, expect, it } from "vitest";
import { parseServiceToken, parseServiceUser } from "../../../../src/api/index.ts";
import {
  namespacesToRead,
  teamNamespaceDeliveryProblem,
} from "../../../../src/webhook/admission/team-namespace.ts";
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
        namespaceLabels: { prod: team("payments") },
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
        namespaceLabels: { prod: team("payments") },
      }),
    );
    expect(verdict).toEqual({ allowed: true });
  });
});

describe("a role or teams change of a ServiceUser with delivery tokens in team namespaces", () => {
  const member = serviceUser("ci-bot", { role: "Member", teams: ["payments"] });
  const inTeam = serviceToken("ci", { namespace: "payments-prod" });
  const elsewhere = serviceToken("ci2", { namespace: "tools" });
  const clientGenerated = serviceToken("ci3", { namespace: "payments-prod", tokenHash: HASH });
  const labels = { "payments-prod": team("payments") };
  const change = (
    to: UserOptions,
    tokens = [inTeam, elsewhere],
  ): ReturnType<typeof decideAdmission> =>
    decideAdmission(
      admissionRequest("UPDATE", "serviceusers", {
        oldObject: member,
        object: serviceUser("ci-bot", to),
      }),
      admissionFacts({ users: [member], tokens, isAdmin: true, namespaceLabels: labels }),
    );

  it.each<{ name: string; to: UserOptions; allowed: boolean }>([
    { name: "to Admin", to: { role: "Admin", teams: ["payments"] }, allowed: false },
    {
      name: "to Manager of the same team",
      to: { role: "Manager", teams: ["payments"] },
      allowed: true,
    },
    { name: "adding a team", to: { role: "Member", teams: ["payments", "sre"] }, allowed: false },
    { name: "removing the team", to: { role: "Member" }, allowed: true },
    { name: "nothing about reach", to: { role: "Member", teams: ["payments"] }, allowed: true },
  ])("$name → allowed: $allowed", ({ to, allowed }) => {
    expect(change(to).allowed).toBe(allowed);
  });

  it("names the tokens and what to do", () => {
    expect(change({ role: "Admin", teams: ["payments"] })).toEqual({
      allowed: false,
      message:
        "ServiceUser ci-bot cannot get this role and these teams: its tokens payments-prod/ci " +
        "have delivery Secrets in team namespaces (label team.svctokens.dev/<team>), whose " +
        "Managers can mount them in Pods and would gain the new reach. Revoke and delete " +
        "those tokens and create new ones in a namespace without team labels (or with " +
        "spec.tokenHash) first",
    });
  });

  it("does not count client-generated tokens", () => {
    expect(change({ role: "Admin" }, [clientGenerated, elsewhere])).toEqual({ allowed: true });
  });

  it("does not block lowering a role when a token was already exposed", () => {
    const admin = serviceUser("ci-bot", { role: "Admin", teams: ["payments"] });
    const verdict = decideAdmission(
      admissionRequest("UPDATE", "serviceusers", { oldObject: admin, object: member }),
      admissionFacts({ users: [admin], tokens: [inTeam], isAdmin: true, namespaceLabels: labels }),
    );
    expect(verdict).toEqual({ allowed: true });
  });
});

describe("a ServiceUser created after its tokens (any apply order)", () => {
  const waiting = serviceToken("ci", { namespace: "payments-prod", user: "late-bot" });
  const elsewhere = serviceToken("ci2", { namespace: "tools", user: "late-bot" });
  const clientGenerated = serviceToken("ci3", {
    namespace: "payments-prod",
    user: "late-bot",
    tokenHash: HASH,
  });
  const labels = { "payments-prod": team("payments") };
  const create = (
    as: UserOptions,
    tokens = [waiting, elsewhere],
  ): ReturnType<typeof decideAdmission> =>
    decideAdmission(
      admissionRequest("CREATE", "serviceusers", { object: serviceUser("late-bot", as) }),
      admissionFacts({ tokens, isAdmin: true, namespaceLabels: labels }),
    );

  it.each<{ name: string; as: UserOptions; allowed: boolean }>([
    { name: "an Admin", as: { role: "Admin", teams: ["payments"] }, allowed: false },
    { name: "a Manager of another team", as: { role: "Manager", teams: ["sre"] }, allowed: false },
    {
      name: "a Member of the namespace's team",
      as: { role: "Member", teams: ["payments"] },
      allowed: true,
    },
  ])("as $name → allowed: $allowed", ({ as, allowed }) => {
    expect(create(as).allowed).toBe(allowed);
  });

  it("names the waiting tokens and what to do", () => {
    expect(create({ role: "Admin" })).toEqual({
      allowed: false,
      message:
        "ServiceUser late-bot cannot be created with this role and these teams: its tokens " +
        "payments-prod/ci, applied before it, would have delivery Secrets in team namespaces " +
        "(label team.svctokens.dev/<team>) whose Managers can mount them in Pods. Move those " +
        "tokens to a namespace without team labels (or use spec.tokenHash), or give the user a " +
        "role and teams that namespace's Managers already have",
    });
  });

  it("does not count client-generated tokens", () => {
    expect(create({ role: "Admin" }, [clientGenerated, elsewhere])).toEqual({ allowed: true });
  });

  it("reads the namespaces of the waiting tokens with delivery Secrets", () => {
    const request = admissionRequest("CREATE", "serviceusers", {
      object: serviceUser("late-bot", { role: "Admin" }),
    });
    const facts = admissionFacts({ tokens: [waiting, elsewhere, clientGenerated] });
    expect(namespacesToRead(request, facts.cluster)).toEqual(["payments-prod", "tools"]);
  });
});

describe("namespacesToRead", () => {
  const facts = admissionFacts({
    tokens: [
      serviceToken("a", { namespace: "one" }),
      serviceToken("b", { namespace: "two" }),
      serviceToken("c", { namespace: "one" }),
      serviceToken("d", { namespace: "three", tokenHash: HASH }),
    ],
  }).cluster;
  const user = serviceUser("ci-bot", { role: "Member" });
  it.each<{ name: string; request: Parameters<typeof namespacesToRead>[0]; namespaces: string[] }>([
    {
      name: "token create with a delivery Secret",
      request: admissionRequest("CREATE", "servicetokens", { object: serviceToken("x") }),
      namespaces: ["prod"],
    },
    {
      name: "client-generated token create",
      request: admissionRequest("CREATE", "servicetokens", {
        object: serviceToken("x", { tokenHash: HASH }),
      }),
      namespaces: [],
    },
    {
      name: "token update",
      request: admissionRequest("UPDATE", "servicetokens", {
        oldObject: serviceToken("x"),
        object: serviceToken("x", { revoked: true }),
      }),
      namespaces: [],
    },
    {
      name: "user role change: its delivery tokens' namespaces",
      request: admissionRequest("UPDATE", "serviceusers", {
        oldObject: user,
        object: serviceUser("ci-bot", { role: "Admin" }),
      }),
      namespaces: ["one", "two"],
    },
    {
      name: "user change of something else",
      request: admissionRequest("UPDATE", "serviceusers", {
        oldObject: user,
        object: serviceUser("ci-bot", { role: "Member", active: false }),
      }),
      namespaces: [],
    },
  ])("$name → $namespaces", ({ request, namespaces }) => {
    expect(namespacesToRead(request, facts)).toEqual(namespaces);
  });
});
