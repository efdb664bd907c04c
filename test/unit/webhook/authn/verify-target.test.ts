import { describe, expect, it } from "vitest";
import { verifyTarget, type VerifyTarget } from "../../../../src/webhook/authn/verify-target.ts";

const verify = (audiences: string[] = [], groups: string[] = []): VerifyTarget => ({
  kind: "verify",
  audiences,
  groups,
});
const other: VerifyTarget = { kind: "other" };
/** A refusal whose reason starts as `reason` does. */
const invalid = (reason: RegExp): unknown =>
  expect.objectContaining({ kind: "invalid", reason: expect.stringMatching(reason) as unknown });
const badGroup = invalid(/^group must be/);
const badAudience = invalid(/^audience must be/);
const badMatrix = invalid(/segment must be/);

describe("verifyTarget", () => {
  it.each<[string, string, string, unknown]>([
    // The exact path: the query is the gateway's (nginx, ingress-nginx, Traefik).
    ["the exact path", "/verify", "", verify()],
    ["an audience", "/verify", "audience=scim", verify(["scim"])],
    [
      "a group",
      "/verify",
      "group=svctokens:team:identity",
      verify([], ["svctokens:team:identity"]),
    ],
    ["repeated groups", "/verify", "group=a&group=b", verify([], ["a", "b"])],
    ["a comma list of groups", "/verify", "group=a,b&group=c", verify([], ["a", "b", "c"])],
    [
      "percent-encoded colons",
      "/verify",
      "group=svctokens%3Arole%3Aadmin",
      verify([], ["svctokens:role:admin"]),
    ],
    ["other query keys, ignored", "/verify", "rd=https%3A%2F%2Fx&audience=a", verify(["a"])],
    ["both", "/verify", "audience=scim&group=g", verify(["scim"], ["g"])],
    // Envoy's path prefix: the client's path and query follow, and are not read.
    ["a sub-path", "/verify/api/users", "", verify()],
    ["the root sub-path", "/verify/", "", verify()],
    ["a client query under a sub-path", "/verify/api", "audience=scim&group=x", verify()],
    ["a malformed client query under a sub-path", "/verify/api", "group=&audience=", verify()],
    ["dot segments under a sub-path", "/verify/../authenticate", "", verify()],
    ["encoded dot segments", "/verify/%2e%2e/authenticate", "", verify()],
    ["a double slash", "/verify//x", "", verify()],
    // Parameters the gateway writes into the first segment.
    [
      "matrix parameters",
      "/verify;group=a,b;audience=scim/api",
      "group=c",
      verify(["scim"], ["a", "b"]),
    ],
    ["matrix parameters and the query", "/verify;group=a", "group=b", verify([], ["a", "b"])],
    ["encoded matrix values", "/verify;audience=https%3A%2F%2Fapi/x", "", verify(["https://api"])],
    ["client matrix parameters after the first segment", "/verify/x;audience=scim", "", verify()],
    // Not /verify.
    ["a longer name", "/verifyx", "", other],
    ["another case", "/Verify", "", other],
    ["an encoded name", "/%76erify", "", other],
    ["another endpoint", "/authenticate", "", other],
    ["a traversal into verify", "/authenticate/../verify", "", other],
    ["the root", "/", "", other],
    ["no leading slash", "verify", "", other],
    // Malformed parameters: the gateway's configuration is wrong, say so.
    ["an empty group", "/verify", "group=", badGroup],
    ["an empty group in a list", "/verify", "group=a,,b", badGroup],
    ["a trailing comma", "/verify", "group=a,", badGroup],
    ["a group with a space", "/verify", "group=a+b", badGroup],
    [
      "a group with a control character",
      "/verify",
      "group=a%0d%0aX-Auth-Request-User:root",
      badGroup,
    ],
    [
      "33 groups",
      "/verify",
      `group=${Array.from({ length: 33 }, (_, i) => `g${i}`).join(",")}`,
      badGroup,
    ],
    ["a 513-character group", "/verify", `group=${"g".repeat(513)}`, badGroup],
    ["an empty audience", "/verify", "audience=", badAudience],
    [
      "33 audiences",
      "/verify",
      Array.from({ length: 33 }, (_, i) => `audience=a${i}`).join("&"),
      badAudience,
    ],
    ["an unknown matrix parameter", "/verify;role=admin/x", "", badMatrix],
    ["an empty matrix part", "/verify;/x", "", badMatrix],
    ["a matrix part without a value", "/verify;group/x", "", badMatrix],
    ["an undecodable matrix value", "/verify;group=%E0%A4%A/x", "", badMatrix],
    ["an empty matrix group", "/verify;group=/x", "", badGroup],
  ])("%s: %s ? %s", (_case, path, query, expected) => {
    expect(verifyTarget(path, query)).toEqual(expected);
  });
});

describe("verifyTarget's common case", () => {
  it("answers a bare /verify as the general path does, with arrays of its own", () => {
    const bare = verifyTarget("/verify", "");
    expect(bare).toEqual(verifyTarget("/verify", "unrelated=1"));
    expect(bare).toEqual({ kind: "verify", audiences: [], groups: [] });
    expect(verifyTarget("/verify", "")).not.toBe(bare);
  });
});
