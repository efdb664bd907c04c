import { describe, expect, it } from "vitest";
import { generateToken } from "../../../../src/tokens/index.ts";
import {
  admissionResponse,
  parseAdmissionReview,
} from "../../../../src/webhook/admission/review.ts";
import {
  parseTokenReview,
  tokenReviewRefusal,
  tokenReviewResponse,
} from "../../../../src/webhook/authn/token-review.ts";

const TOKEN = generateToken();

// What kube-apiserver's webhook token authenticator actually sends.
const apiserverReview = {
  kind: "TokenReview",
  apiVersion: "authentication.k8s.io/v1",
  metadata: { creationTimestamp: null },
  spec: { token: TOKEN, audiences: ["https://kubernetes.default.svc"] },
  status: { user: {} },
};

describe("parseTokenReview", () => {
  it("reads what kube-apiserver sends", () => {
    expect(parseTokenReview(apiserverReview)).toEqual({
      ok: true,
      value: {
        apiVersion: "authentication.k8s.io/v1",
        token: TOKEN,
        audiences: ["https://kubernetes.default.svc"],
      },
    });
  });

  it("reads v1beta1 (kube-apiserver's default version, Pinniped) and says which was asked", () => {
    const review = { ...apiserverReview, apiVersion: "authentication.k8s.io/v1beta1" };
    expect(parseTokenReview(review)).toEqual({
      ok: true,
      value: {
        apiVersion: "authentication.k8s.io/v1beta1",
        token: TOKEN,
        audiences: ["https://kubernetes.default.svc"],
      },
    });
  });

  it.each([
    ["omitted", undefined],
    ["null", null],
  ])("treats audiences %s as none asked", (_case, audiences) => {
    const review = { ...apiserverReview, spec: { token: TOKEN, audiences } };
    expect(parseTokenReview(review)).toEqual({
      ok: true,
      value: { apiVersion: "authentication.k8s.io/v1", token: TOKEN, audiences: [] },
    });
  });

  it.each([
    ["a non-object", "hello", "<root>"],
    ["null", null, "<root>"],
    ["an array", [apiserverReview], "<root>"],
    [
      "v1alpha1",
      { ...apiserverReview, apiVersion: "authentication.k8s.io/v1alpha1" },
      "apiVersion",
    ],
    ["no apiVersion", { ...apiserverReview, apiVersion: undefined }, "apiVersion"],
    ["another kind", { ...apiserverReview, kind: "SubjectAccessReview" }, "kind"],
    ["no spec", { ...apiserverReview, spec: undefined }, "spec"],
    ["no token", { ...apiserverReview, spec: {} }, "spec.token"],
    ["an empty token", { ...apiserverReview, spec: { token: "" } }, "spec.token"],
    ["a numeric token", { ...apiserverReview, spec: { token: 42 } }, "spec.token"],
    ["a huge token", { ...apiserverReview, spec: { token: "x".repeat(5000) } }, "spec.token"],
    [
      "audiences not a list",
      { ...apiserverReview, spec: { token: TOKEN, audiences: "scim" } },
      "spec.audiences",
    ],
    [
      "an empty audience",
      { ...apiserverReview, spec: { token: TOKEN, audiences: [""] } },
      "spec.audiences.0",
    ],
    [
      "too many audiences",
      {
        ...apiserverReview,
        spec: { token: TOKEN, audiences: Array.from({ length: 33 }, (_, i) => `a${i}`) },
      },
      "spec.audiences",
    ],
  ])("refuses %s, naming the field", (_case, body, field) => {
    const result = parseTokenReview(body);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toMatch(/^TokenReview is malformed: /);
      expect(result.reason).toContain(`${field}:`);
    }
  });

  it("never quotes the token in its reason", () => {
    const result = parseTokenReview({ ...apiserverReview, kind: TOKEN, spec: { token: [TOKEN] } });
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });
});

describe("tokenReviewResponse", () => {
  const user = { username: "ci@service", uid: "u1", groups: ["g"], extra: { k: ["v"] } };
  const ref = { tokenId: "0123456789abcdef", tokenKey: "prod/ci", serviceUser: "ci" };

  it("answers authenticated with the user and the granted audiences", () => {
    expect(tokenReviewResponse({ authenticated: true, user, audiences: ["scim"], ...ref })).toEqual(
      {
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenReview",
        status: { authenticated: true, user, audiences: ["scim"] },
      },
    );
  });

  it.each(["authentication.k8s.io/v1", "authentication.k8s.io/v1beta1"] as const)(
    "answers in the version asked (%s), for successes, refusals and errors",
    (apiVersion) => {
      const success = tokenReviewResponse(
        { authenticated: true, user, audiences: [], ...ref },
        apiVersion,
      );
      expect(success).toEqual({
        apiVersion,
        kind: "TokenReview",
        status: { authenticated: true, user },
      });
      const refusal = tokenReviewResponse(
        { authenticated: false, reason: "expired", ...ref },
        apiVersion,
      );
      expect(refusal).toEqual({
        apiVersion,
        kind: "TokenReview",
        status: { authenticated: false },
      });
      expect(tokenReviewRefusal("internal error", apiVersion).apiVersion).toBe(apiVersion);
    },
  );

  it("leaves status.audiences out when none were asked (the API server's audience)", () => {
    const answer = tokenReviewResponse({ authenticated: true, user, audiences: [], ...ref });
    expect(answer.status).not.toHaveProperty("audiences");
  });

  it("answers a refusal without saying why", () => {
    expect(tokenReviewResponse({ authenticated: false, reason: "revoked", ...ref })).toEqual({
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenReview",
      status: { authenticated: false },
    });
    expect(tokenReviewRefusal("internal error").status).toEqual({
      authenticated: false,
      error: "internal error",
    });
  });
});

const admissionRequest = {
  uid: "705ab4f5-6393-11e8-b7cc-42010a800002",
  kind: { group: "svctokens.dev", version: "v1alpha1", kind: "ServiceToken" },
  resource: { group: "svctokens.dev", version: "v1alpha1", resource: "servicetokens" },
  requestKind: { group: "svctokens.dev", version: "v1alpha1", kind: "ServiceToken" },
  name: "ci",
  namespace: "prod",
  operation: "UPDATE",
  userInfo: { username: "alice", groups: ["system:authenticated"], extra: { scopes: ["a"] } },
  object: { metadata: { name: "ci" } },
  oldObject: { metadata: { name: "ci" } },
  dryRun: false,
  options: { kind: "UpdateOptions", apiVersion: "meta.k8s.io/v1" },
};
const admissionReview = {
  apiVersion: "admission.k8s.io/v1",
  kind: "AdmissionReview",
  request: admissionRequest,
};

describe("parseAdmissionReview", () => {
  it("reads an AdmissionReview v1 request, keeping fields it does not model", () => {
    const result = parseAdmissionReview(admissionReview);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.value).toMatchObject(admissionRequest);
    }
  });

  const withRequest = (request: Record<string, unknown>): unknown => ({
    ...admissionReview,
    request: { ...admissionRequest, ...request },
  });
  it.each([
    ["v1beta1", { ...admissionReview, apiVersion: "admission.k8s.io/v1beta1" }, "apiVersion"],
    ["another kind", { ...admissionReview, kind: "TokenReview" }, "kind"],
    ["no request", { ...admissionReview, request: undefined }, "request"],
    ["no uid", withRequest({ uid: undefined }), "request.uid"],
    ["an empty uid", withRequest({ uid: "" }), "request.uid"],
    ["an unknown operation", withRequest({ operation: "PATCH" }), "request.operation"],
    ["no userInfo", withRequest({ userInfo: undefined }), "request.userInfo"],
    [
      "groups not a list",
      withRequest({ userInfo: { username: "a", groups: "g" } }),
      "request.userInfo.groups",
    ],
    ["no resource", withRequest({ resource: undefined }), "request.resource"],
    ["an UPDATE without object", withRequest({ object: null }), "request.object"],
    ["an UPDATE without oldObject", withRequest({ oldObject: undefined }), "request.oldObject"],
    [
      "a CREATE without object",
      withRequest({ operation: "CREATE", object: undefined }),
      "request.object",
    ],
    [
      "a DELETE without oldObject",
      withRequest({ operation: "DELETE", oldObject: null }),
      "request.oldObject",
    ],
    ["an object that is a string", withRequest({ object: "x" }), "request.object"],
  ])("refuses %s, naming the field", (_case, body, field) => {
    const result = parseAdmissionReview(body);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toMatch(/^AdmissionReview is malformed: /);
      expect(result.reason).toContain(`${field}:`);
    }
  });
});

describe("admissionResponse", () => {
  it("echoes the uid and allows", () => {
    expect(admissionResponse("u-1", { allowed: true })).toEqual({
      apiVersion: "admission.k8s.io/v1",
      kind: "AdmissionReview",
      response: { uid: "u-1", allowed: true },
    });
  });

  it("denies as 403 Forbidden with the message for the terminal", () => {
    expect(admissionResponse("u-2", { allowed: false, message: "no: do this" }).response).toEqual({
      uid: "u-2",
      allowed: false,
      status: { code: 403, reason: "Forbidden", message: "no: do this" },
    });
  });
});
