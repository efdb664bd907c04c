// A kept success is handed out only while what it was made of is unchanged, is frozen, and the
// memo stays bounded; decisions and answers read the same whether kept or made afresh.
import { describe, expect, it } from "vitest";
import { parseServiceUser } from "../../../../src/api/index.ts";
import { decideAuthentication } from "../../../../src/webhook/authn/decide.ts";
import { IdentityMemo } from "../../../../src/webhook/authn/identity-memo.ts";
import { SuccessMemo } from "../../../../src/webhook/authn/success-memo.ts";
import {
  TOKEN_REVIEW_API_VERSIONS,
  tokenReviewResponse,
  tokenReviewResponseJson,
} from "../../../../src/webhook/authn/token-review.ts";
import { factsOf, issue, NOW, serviceToken, serviceUser } from "../fixtures.ts";

const identity = new IdentityMemo().identityOf(parseServiceUser(serviceUser("ci-bot")));
const other = new IdentityMemo().identityOf(parseServiceUser(serviceUser("ci-bot")));
const record = { tokenId: "0123456789abcdef", tokenName: "ci", tokenNamespace: "prod" };

describe("SuccessMemo", () => {
  it("hands a success back only for the same record names, user name and identity", () => {
    const memo = new SuccessMemo<string>();
    const token = {};
    memo.set(token, record, "ci-bot", identity, "kept");
    expect(memo.get(token, { ...record }, "ci-bot", identity)).toBe("kept");
    expect(memo.get({}, record, "ci-bot", identity)).toBeUndefined();
    expect(memo.get(token, { ...record, tokenId: "fedcba9876543210" }, "ci-bot", identity)).toBe(
      undefined,
    );
    expect(memo.get(token, { ...record, tokenName: "cd" }, "ci-bot", identity)).toBeUndefined();
    expect(memo.get(token, { ...record, tokenNamespace: "dev" }, "ci-bot", identity)).toBe(
      undefined,
    );
    expect(memo.get(token, record, "cd-bot", identity)).toBeUndefined();
    expect(memo.get(token, record, "ci-bot", other)).toBeUndefined();
  });

  it("stays bounded, evicting the oldest entry first", () => {
    const memo = new SuccessMemo<number>(2);
    const [a, b, c] = [{}, {}, {}];
    memo.set(a, record, "u", identity, 1);
    memo.set(b, record, "u", identity, 2);
    memo.set(a, record, "u", identity, 3); // replaced: now the newest
    memo.set(c, record, "u", identity, 4);
    expect(memo.size).toBe(2);
    expect(memo.get(b, record, "u", identity)).toBeUndefined();
    expect(memo.get(a, record, "u", identity)).toBe(3);
    expect(memo.get(c, record, "u", identity)).toBe(4);
  });
});

describe("kept successes in decideAuthentication", () => {
  const token = serviceToken("ci");
  const { value, record: issued } = issue(token);
  const objects = { tokens: [token], records: [issued] };
  it("are equal to fresh ones, frozen, and their answers are JSON.stringify's", () => {
    const facts = factsOf({
      users: [serviceUser("ci-bot", { teams: ["a"] })],
      ...objects,
    });
    const first = decideAuthentication(value, [], facts, NOW);
    const again = decideAuthentication(value, [], facts, NOW);
    const asked = decideAuthentication(value, ["aud"], facts, NOW);
    expect(first.authenticated).toBe(true);
    expect(again).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(asked).not.toBe(first);
    expect(asked).toEqual({ ...first, audiences: ["aud"] });
    for (const decision of [first, again, asked]) {
      for (const version of TOKEN_REVIEW_API_VERSIONS) {
        expect(tokenReviewResponseJson(decision, version)).toBe(
          JSON.stringify(tokenReviewResponse(decision, version)),
        );
      }
    }
    if (first.authenticated) {
      expect(() => (first.user.groups as string[]).push("svctokens:role:admin")).toThrow();
      expect(() => first.user.extra["x"]?.push("y")).not.toThrow();
      expect(() => {
        first.user.extra["x"] = ["y"];
      }).toThrow(TypeError);
    }
  });

  it("follow the user: a role change is answered on the next request", () => {
    const member = factsOf({
      users: [serviceUser("ci-bot", { role: "Member" })],
      ...objects,
    });
    const admin = factsOf({
      users: [serviceUser("ci-bot", { role: "Admin" })],
      ...objects,
    });
    const before = decideAuthentication(value, [], member, NOW);
    const after = decideAuthentication(value, [], admin, NOW);
    if (!before.authenticated || !after.authenticated) throw new Error("both should authenticate");
    expect(before.user.groups).toContain("svctokens:role:member");
    expect(after.user.groups).toContain("svctokens:role:admin");
    expect(after.user.groups).not.toContain("svctokens:role:member");
  });
});
