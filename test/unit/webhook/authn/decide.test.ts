import { describe, expect, it } from "vitest";
import { generateToken, hashToken } from "../../../../src/tokens/index.ts";
import {
  decideAuthentication,
  grantedAudiences,
  type AuthenticationFailure,
} from "../../../../src/webhook/authn/decide.ts";
import type { ClusterFacts } from "../../../../src/webhook/cache/facts.ts";
import type { KubeObject } from "../../../../src/k8s/object.ts";
import { DAY_MS, factsOf, issue, NOW, pinnedTo, serviceToken, serviceUser } from "../fixtures.ts";

const user = serviceUser("ci-bot", { role: "Manager", teams: ["payments", "sre"] });
const token = serviceToken("ci");
const issued = issue(token);

describe("decideAuthentication", () => {
  it("authenticates an Active token of an active user as the user, with the token in extra", () => {
    const facts = factsOf({ users: [user], tokens: [token], records: [issued.record] });
    expect(decideAuthentication(issued.value, [], facts, NOW)).toEqual({
      authenticated: true,
      user: {
        username: "ci-bot@service",
        uid: "uid-user-ci-bot",
        groups: [
          "svctokens:service-users",
          "svctokens:role:manager",
          "svctokens:team:payments",
          "svctokens:team:sre",
          "svctokens:team:payments:manager",
          "svctokens:team:sre:manager",
        ],
        extra: {
          "svctokens.dev/token-id": [issued.tokenId],
          "svctokens.dev/token-name": ["ci"],
          "svctokens.dev/token-namespace": ["prod"],
          "authentication.kubernetes.io/credential-id": [`svctokens-token-id=${issued.tokenId}`],
        },
      },
      audiences: [],
      tokenId: issued.tokenId,
      tokenKey: "prod/ci",
      serviceUser: "ci-bot",
    });
  });

  const corrupt = (value: string, at: number): string =>
    value.slice(0, at) + (value[at] === "A" ? "B" : "A") + value.slice(at + 1);

  it.each([
    ["an empty string", ""],
    ["a body character changed", corrupt(issued.value, 10)],
    ["a checksum character changed", corrupt(issued.value, issued.value.length - 1)],
    ["a wrong prefix", issued.value.replace(/^svct_/, "svcx_")],
    ["an uppercase prefix", issued.value.replace(/^svct_/, "SVCT_")],
    ["a trailing newline", `${issued.value}\n`],
    ["a leading space", ` ${issued.value}`],
    ["one character short", issued.value.slice(0, -1)],
    ["one character long", `${issued.value}0`],
    ["a JWT", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"],
    ["non-ASCII", issued.value.replace(/.$/, "é")],
  ])("drops a look-alike (%s) before any lookup", (_case, presented) => {
    const facts = new Proxy({} as ClusterFacts, {
      get: () => {
        throw new Error("looked up a malformed token");
      },
    });
    expect(decideAuthentication(presented, [], facts, NOW)).toEqual({
      authenticated: false,
      reason: "malformed",
    });
  });

  interface Case {
    name: string;
    users?: KubeObject[];
    tokens?: KubeObject[];
    records?: KubeObject[];
    presented?: string;
    audiences?: string[];
    now?: Date;
    reason: AuthenticationFailure;
  }
  const expiresAt = new Date(NOW.getTime() + 1000);
  const expiring = issue(token, { expiresAt });
  const other = serviceToken("other", { uid: "uid-other" });
  // Without an overlap, a changed spec.tokenHash ends the pinned value at once.
  const clientHashToken = serviceToken("ci", {
    tokenHash: hashToken(generateToken()),
    rotation: { overlapMinutes: 0 },
  });
  const cases: Case[] = [
    { name: "a well-formed token nobody issued", presented: generateToken(), reason: "unknown" },
    {
      name: "a hash two records claim",
      tokens: [token, other],
      records: [issued.record, issue(other, { value: issued.value }).record],
      reason: "ambiguous",
    },
    { name: "a record whose ServiceToken is gone", tokens: [], reason: "stale" },
    {
      name: "a record of an earlier ServiceToken with the same name (uid differs)",
      tokens: [serviceToken("ci", { uid: "uid-recreated" })],
      reason: "stale",
    },
    {
      name: "a record whose hash is not the client-generated spec.tokenHash (no overlap)",
      tokens: [clientHashToken],
      reason: "stale",
    },
    {
      name: "a token being deleted",
      tokens: [serviceToken("ci", { deleting: true })],
      reason: "deleting",
    },
    {
      name: "a revoked token whose status still says Active",
      tokens: [serviceToken("ci", { revoked: true, status: { phase: "Active" } })],
      reason: "revoked",
    },
    {
      name: "a token at its expiry instant",
      records: [expiring.record],
      presented: expiring.value,
      now: expiresAt,
      reason: "expired",
    },
    {
      name: "a token past the expiry its immutable spec implies (record without expiry)",
      tokens: [serviceToken("ci", { expiresInDays: 1 })],
      now: new Date(NOW.getTime() + 1),
      reason: "expired",
    },
    { name: "a token whose ServiceUser is gone", users: [], reason: "user-missing" },
    {
      name: "a token of a deactivated ServiceUser",
      users: [serviceUser("ci-bot", { active: false })],
      reason: "user-inactive",
    },
    {
      name: "a SCIM token when no audience is asked for (kube-apiserver's default)",
      tokens: [serviceToken("ci", { audiences: ["scim"] })],
      reason: "audience",
    },
    {
      name: "a SCIM token asked for another audience",
      tokens: [serviceToken("ci", { audiences: ["scim"] })],
      audiences: ["https://kubernetes.default.svc"],
      reason: "audience",
    },
  ];

  it.each(cases)("refuses $name", (c) => {
    const facts = factsOf({
      users: c.users ?? [user],
      tokens: c.tokens ?? [token],
      records: c.records ?? [issued.record],
    });
    const decision = decideAuthentication(
      c.presented ?? issued.value,
      c.audiences ?? [],
      facts,
      c.now ?? NOW,
    );
    expect(decision).toMatchObject({ authenticated: false, reason: c.reason });
  });

  it("names the token it refused, for the log (never the value)", () => {
    const facts = factsOf({
      users: [user],
      tokens: [serviceToken("ci", { revoked: true })],
      records: [issued.record],
    });
    const decision = decideAuthentication(issued.value, [], facts, NOW);
    expect(decision).toEqual({
      authenticated: false,
      reason: "revoked",
      tokenId: issued.tokenId,
      tokenKey: "prod/ci",
      serviceUser: "ci-bot",
    });
    expect(JSON.stringify(decision)).not.toContain(issued.value);
  });

  it("accepts a token one millisecond before it expires", () => {
    const facts = factsOf({ users: [user], tokens: [token], records: [expiring.record] });
    const before = new Date(expiresAt.getTime() - 1);
    expect(decideAuthentication(expiring.value, [], facts, before).authenticated).toBe(true);
  });

  it("accepts a client-generated token whose record matches spec.tokenHash", () => {
    const value = generateToken();
    const clientToken = serviceToken("ci", { tokenHash: hashToken(value) });
    const record = issue(clientToken, { value }).record;
    const facts = factsOf({ users: [user], tokens: [clientToken], records: [record] });
    expect(decideAuthentication(value, [], facts, NOW).authenticated).toBe(true);
  });

  it("grants a SCIM token the scim audience when it is asked for", () => {
    const scim = serviceToken("ci", { audiences: ["scim"] });
    const facts = factsOf({ users: [user], tokens: [scim], records: [issued.record] });
    expect(decideAuthentication(issued.value, ["api", "scim"], facts, NOW)).toMatchObject({
      authenticated: true,
      audiences: ["scim"],
    });
  });

  it("answers the ServiceUser's current role and teams: a change applies to the next request", () => {
    const facts = factsOf({ users: [user], tokens: [token], records: [issued.record] });
    const before = decideAuthentication(issued.value, [], facts, NOW);
    facts.applyServiceUser({ type: "upsert", object: serviceUser("ci-bot", { role: "Admin" }) });
    const after = decideAuthentication(issued.value, [], facts, NOW);
    expect(before.authenticated && before.user.groups).toContain("svctokens:role:manager");
    expect(after.authenticated && after.user.groups).toEqual([
      "svctokens:service-users",
      "svctokens:role:admin",
    ]);
  });

  it("stops at once when the token is revoked, and again works when restored", () => {
    const facts = factsOf({ users: [user], tokens: [token], records: [issued.record] });
    const revoked = pinnedTo(serviceToken("ci", { revoked: true }), issued.record);
    facts.applyServiceToken({ type: "upsert", object: revoked });
    expect(decideAuthentication(issued.value, [], facts, NOW).authenticated).toBe(false);
    facts.applyServiceToken({ type: "upsert", object: pinnedTo(token, issued.record) });
    expect(decideAuthentication(issued.value, [], facts, NOW).authenticated).toBe(true);
  });

  it("stops the old value when the token is regenerated (the record's hash changes)", () => {
    const facts = factsOf({ users: [user], tokens: [token], records: [issued.record] });
    const regenerated = issue(token);
    // The controller pins the new value in the token's status, then writes the record.
    facts.applyServiceToken({ type: "upsert", object: pinnedTo(token, regenerated.record) });
    facts.applyHashRecord({ type: "upsert", object: regenerated.record });
    expect(decideAuthentication(issued.value, [], facts, NOW)).toMatchObject({ reason: "unknown" });
    expect(decideAuthentication(regenerated.value, [], facts, NOW).authenticated).toBe(true);
  });

  it("treats a token expiring in 30 days as valid today", () => {
    const t = serviceToken("ci", { expiresInDays: 30 });
    const record = issue(t, { createdAt: NOW, expiresAt: new Date(NOW.getTime() + 30 * DAY_MS) });
    const facts = factsOf({ users: [user], tokens: [t], records: [record.record] });
    expect(decideAuthentication(record.value, [], facts, NOW).authenticated).toBe(true);
  });
});

describe("grantedAudiences (TokenReview v1 status.audiences)", () => {
  it.each([
    ["any-audience token, none asked: empty (the API server's audience)", undefined, [], []],
    ["any-audience token: every asked audience", undefined, ["a", "b"], ["a", "b"]],
    ["any-audience token: duplicates once", undefined, ["a", "a"], ["a"]],
    ["restricted token, none asked: refused", ["scim"], [], undefined],
    ["restricted token, others asked: refused", ["scim"], ["api"], undefined],
    ["restricted token: the intersection", ["scim"], ["api", "scim"], ["scim"]],
    ["restricted token: intersection in asked order", ["a", "b"], ["b", "c", "a"], ["b", "a"]],
  ] as const)("%s", (_case, token, asked, granted) => {
    expect(grantedAudiences(token, asked)).toEqual(granted);
  });
});
