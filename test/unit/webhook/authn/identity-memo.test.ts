// The identity memo answers as the identity rules do (username, uid, groups), for the same
// user object read again, for a user changed in place, and hands out lists no caller can change;
// the TokenReview answer written from it is byte for byte JSON.stringify's.
import { describe, expect, it } from "vitest";
import { parseServiceUser, type ServiceUser } from "../../../../src/api/index.ts";
import { serviceUserGroups, serviceUserUsername } from "../../../../src/domain/identity.ts";
import type { AuthenticationDecision } from "../../../../src/webhook/authn/decide.ts";
import { IdentityMemo, identityOfUser } from "../../../../src/webhook/authn/identity-memo.ts";
import {
  TOKEN_REVIEW_API_VERSIONS,
  tokenReviewResponse,
  tokenReviewResponseJson,
} from "../../../../src/webhook/authn/token-review.ts";
import { serviceUser } from "../fixtures.ts";

const userOf = (...args: Parameters<typeof serviceUser>): ServiceUser =>
  parseServiceUser(serviceUser(...args));

const expected = (user: ServiceUser): { username: string; uid: string; groups: string[] } => ({
  username: serviceUserUsername(user.metadata.name),
  uid: user.metadata.uid ?? "",
  groups: serviceUserGroups(user.spec),
});

describe("IdentityMemo", () => {
  it.each([
    ["no teams", userOf("ci-bot", { role: "Member" })],
    ["teams", userOf("deployer", { role: "Manager", teams: ["payments", "identity"] })],
    ["an Admin with a uid", userOf("root-bot", { role: "Admin", uid: "u-1" })],
  ])("answers as the identity rules, read once or again: %s", (_name, user) => {
    const memo = new IdentityMemo();
    const first = memo.identityOf(user);
    expect({ username: first.username, uid: first.uid, groups: [...first.groups] }).toEqual(
      expected(user),
    );
    expect(memo.identityOf(user)).toBe(first);
    expect(first.groupsHeader).toBe(expected(user).groups.join(","));
  });

  it.each([
    ["role", (user: ServiceUser): void => void (user.spec.role = "Admin")],
    ["teams replaced", (user: ServiceUser): void => void (user.spec.teams = ["other"])],
    ["a team changed in place", (user: ServiceUser): void => void (user.spec.teams![0] = "x")],
    ["a team added in place", (user: ServiceUser): void => void user.spec.teams!.push("more")],
    ["uid", (user: ServiceUser): void => void (user.metadata.uid = "another")],
    ["name", (user: ServiceUser): void => void (user.metadata.name = "renamed")],
  ])("never answers a user changed in place from its old entry: %s", (_name, change) => {
    const memo = new IdentityMemo();
    const user = userOf("deployer", { role: "Member", teams: ["payments"] });
    const before = memo.identityOf(user);
    change(user);
    const after = memo.identityOf(user);
    expect(after).not.toBe(before);
    expect({ username: after.username, uid: after.uid, groups: [...after.groups] }).toEqual(
      expected(user),
    );
  });

  it("hands out frozen identities and group lists", () => {
    const identity = new IdentityMemo().identityOf(userOf("ci-bot", { teams: ["a"] }));
    expect(Object.isFrozen(identity)).toBe(true);
    expect(Object.isFrozen(identity.groups)).toBe(true);
    expect(() => (identity.groups as string[]).push("svctokens:role:admin")).toThrow(TypeError);
  });

  it("is found from a user made of it, and not from one that differs", () => {
    const identity = new IdentityMemo().identityOf(userOf("ci-bot", { uid: "u-1" }));
    const { username, uid, groups } = identity;
    expect(identityOfUser({ username, uid, groups })).toBe(identity);
    expect(identityOfUser({ username: "other@service", uid, groups })).toBeUndefined();
    expect(identityOfUser({ username, uid: "u-2", groups })).toBeUndefined();
    expect(identityOfUser({ username, uid, groups: [...groups] })).toBeUndefined();
  });
});

describe("tokenReviewResponseJson from a memoized identity", () => {
  const ref = { tokenId: "0123456789abcdef", tokenKey: "prod/ci", serviceUser: "ci-bot" };
  const extra = {
    "svctokens.dev/token-id": ["0123456789abcdef"],
    "svctokens.dev/token-name": ['ci "quoted"'],
  };
  it.each([
    ["with a uid and teams", userOf("ci-bot", { uid: "u-1", teams: ["a", "b"] }), []],
    ["without a uid", { ...userOf("ci-bot"), metadata: { name: "ci-bot" } }, ["scim"]],
    ["a name that needs escaping", userOf('we"ird\\bot', { uid: "ü-1" }), []],
  ] as [string, ServiceUser, string[]][])(
    "is JSON.stringify's answer, byte for byte: %s",
    (_name, user, audiences) => {
      const identity = new IdentityMemo().identityOf(user);
      const decision: AuthenticationDecision = {
        authenticated: true,
        user: { username: identity.username, uid: identity.uid, groups: identity.groups, extra },
        audiences,
        ...ref,
      };
      for (const version of TOKEN_REVIEW_API_VERSIONS) {
        expect(tokenReviewResponseJson(decision, version)).toBe(
          JSON.stringify(tokenReviewResponse(decision, version)),
        );
      }
    },
  );
});
