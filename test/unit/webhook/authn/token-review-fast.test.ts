// The hot path's TokenReview reader and writer against the schema and JSON.stringify: the same
// requests accepted with the same values, the same refusals, the same answer bytes.
import { describe, expect, it } from "vitest";
import { generateToken } from "../../../../src/tokens/index.ts";
import type { AuthenticationDecision } from "../../../../src/webhook/authn/decide.ts";
import {
  parseTokenReview,
  parseTokenReviewBySchema,
  TOKEN_REVIEW_API_VERSIONS,
  tokenReviewResponse,
  tokenReviewResponseJson,
} from "../../../../src/webhook/authn/token-review.ts";

const TOKEN = generateToken();
const review = {
  kind: "TokenReview",
  apiVersion: "authentication.k8s.io/v1",
  metadata: { creationTimestamp: null },
  spec: { token: TOKEN },
  status: { user: {} },
};
const withSpec = (spec: unknown): unknown => ({ ...review, spec });

describe("parseTokenReview's narrow reader", () => {
  it.each([
    ["kube-apiserver's v1", review],
    ["v1beta1", { ...review, apiVersion: "authentication.k8s.io/v1beta1" }],
    ["audiences", withSpec({ token: TOKEN, audiences: ["a", "https://b"] })],
    ["audiences null", withSpec({ token: TOKEN, audiences: null })],
    ["audiences empty", withSpec({ token: TOKEN, audiences: [] })],
    ["32 audiences", withSpec({ token: TOKEN, audiences: Array.from({ length: 32 }, String) })],
    ["33 audiences", withSpec({ token: TOKEN, audiences: Array.from({ length: 33 }, String) })],
    ["an audience of 1024", withSpec({ token: TOKEN, audiences: ["a".repeat(1024)] })],
    ["an audience of 1025", withSpec({ token: TOKEN, audiences: ["a".repeat(1025)] })],
    ["an empty audience", withSpec({ token: TOKEN, audiences: [""] })],
    ["a numeric audience", withSpec({ token: TOKEN, audiences: [7] })],
    ["audiences a string", withSpec({ token: TOKEN, audiences: "a" })],
    ["a token of 4096", withSpec({ token: "x".repeat(4096) })],
    ["a token of 4097", withSpec({ token: "x".repeat(4097) })],
    ["an empty token", withSpec({ token: "" })],
    ["a token list", withSpec({ token: [TOKEN] })],
    ["a spec list", withSpec([TOKEN])],
    ["a null spec", withSpec(null)],
    ["no spec", { ...review, spec: undefined }],
    ["another kind", { ...review, kind: "TokenRequest" }],
    ["another version", { ...review, apiVersion: "authentication.k8s.io/v2" }],
    ["a list", [review]],
    ["null", null],
    ["a string", "TokenReview"],
    ["extra fields", { ...review, extra: 1, spec: { token: TOKEN, more: true } }],
  ])("agrees with the schema on %s", (_case, body) => {
    expect(parseTokenReview(body)).toEqual(parseTokenReviewBySchema(body));
  });
});

describe("tokenReviewResponseJson", () => {
  const ref = { tokenId: "0123456789abcdef", tokenKey: "prod/ci", serviceUser: "ci" };
  const user = (uid: string, username = "ci@service"): AuthenticationDecision => ({
    authenticated: true,
    user: {
      username,
      uid,
      groups: ["svctokens:service-users", 'quote"and\\slash', "ünïcode \u2028 \u0001"],
      extra: { "svctokens.dev/token-id": ["0123456789abcdef"], 'k"ey': ["v\n"] },
    },
    audiences: [],
    ...ref,
  });
  const decisions: [string, AuthenticationDecision][] = [
    ["a user", user("u1")],
    ["a user without a uid", user("")],
    ["odd characters", user("</script>", 'a"b\\c\td')],
    ["granted audiences", { ...user("u1"), audiences: ["scim", 'x"y'] } as AuthenticationDecision],
    ["a refusal", { authenticated: false, reason: "revoked", ...ref }],
  ];
  for (const apiVersion of TOKEN_REVIEW_API_VERSIONS) {
    it.each(decisions)(`writes ${apiVersion} for %s as JSON.stringify does`, (_case, decision) => {
      const json = tokenReviewResponseJson(decision, apiVersion);
      expect(json).toBe(JSON.stringify(tokenReviewResponse(decision, apiVersion)));
      expect(JSON.parse(json)).toEqual(tokenReviewResponse(decision, apiVersion));
    });
  }
});
