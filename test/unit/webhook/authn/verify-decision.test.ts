import { describe, expect, it } from "vitest";
import type { AuthenticationDecision } from "../../../../src/webhook/authn/decide.ts";
import {
  decideVerify,
  type Authenticate,
  type VerifyAnswer,
} from "../../../../src/webhook/authn/verify-decision.ts";

const GOOD = "svct_good";
const SCIM = "svct_scim";
const GROUPS = ["svctokens:service-users", "svctokens:role:admin", "svctokens:team:identity"];

/** A good token for any audience, a SCIM token only for `scim`; anything else is unknown. */
const authenticate: Authenticate = (token, audiences): AuthenticationDecision => {
  const known = token === GOOD || (token === SCIM && audiences.includes("scim"));
  if (!known) return { authenticated: false, reason: "unknown" };
  return {
    authenticated: true,
    user: { username: "idp-sync@service", uid: "u1", groups: GROUPS, extra: {} },
    audiences: [...audiences],
    tokenId: "0123456789abcdef",
    tokenKey: "identity/idp-sync",
    serviceUser: "idp-sync",
  };
};
const failing: Authenticate = () => undefined;

const ok: Partial<VerifyAnswer> = {
  status: 200,
  headers: {
    "Cache-Control": "no-store",
    "X-Auth-Request-User": "idp-sync@service",
    "X-Auth-Request-Groups": GROUPS.join(","),
    "X-Auth-Request-Token-Id": "0123456789abcdef",
  },
};
const challenge = (error?: string): Partial<VerifyAnswer> => ({
  status: 401,
  headers: {
    "Cache-Control": "no-store",
    "WWW-Authenticate": error
      ? `Bearer realm="svctokens", error="${error}"`
      : 'Bearer realm="svctokens"',
  },
});
const forbidden: Partial<VerifyAnswer> = { status: 403, headers: { "Cache-Control": "no-store" } };

describe("decideVerify", () => {
  it.each<[string, string | undefined, string[], string[], Partial<VerifyAnswer>, Authenticate?]>([
    ["a valid token", `Bearer ${GOOD}`, [], [], ok],
    ["a lower-case scheme and trailing spaces", `bearer ${GOOD}  `, [], [], ok],
    ["no Authorization header", undefined, [], [], challenge()],
    ["Basic credentials", "Basic YWRtaW46YWRtaW4=", [], [], challenge("invalid_request")],
    ["two credentials", `Bearer ${GOOD} ${GOOD}`, [], [], challenge("invalid_request")],
    ["an unknown token", "Bearer svct_other", [], [], challenge("invalid_token")],
    ["an internal error", `Bearer ${GOOD}`, [], [], challenge("invalid_token"), failing],
    ["a SCIM token without its audience", `Bearer ${SCIM}`, [], [], challenge("invalid_token")],
    ["a SCIM token with its audience", `Bearer ${SCIM}`, ["scim"], [], ok],
    ["a held group", `Bearer ${GOOD}`, [], ["svctokens:team:identity"], ok],
    ["one held group among others", `Bearer ${GOOD}`, [], ["x", "svctokens:role:admin"], ok],
    ["no held group", `Bearer ${GOOD}`, [], ["svctokens:team:payments"], forbidden],
    ["a group prefix is not a group", `Bearer ${GOOD}`, [], ["svctokens:team"], forbidden],
    [
      "a bad token and a group: 401 before 403",
      "Bearer svct_other",
      [],
      ["x"],
      challenge("invalid_token"),
    ],
    ["a SCIM token, its audience, another group", `Bearer ${SCIM}`, ["scim"], ["x"], forbidden],
  ])("%s", (_case, authorization, audiences, groups, expected, auth = authenticate) => {
    const answer = decideVerify({ authorization, audiences, groups }, auth);
    expect(answer).toMatchObject(expected);
    expect(answer.headers).toEqual(expected.headers);
    if (answer.status !== 200) expect(answer.body).not.toContain("idp-sync");
  });
});
