// At least 30 malformed or hostile requests: each gets a clear 4xx (or a refusal/denial), none
// leaks internals, and the service keeps answering afterwards.
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { TOKEN_PREFIX } from "../../../../src/tokens/index.ts";
import { admissionRequest } from "../admission/fixtures.ts";
import { issue, serviceToken, serviceUser } from "../fixtures.ts";
import {
  admissionReview,
  call,
  postJson,
  harnessForFile,
  tokenReview,
  type Call,
} from "./http-harness.ts";

const ci = serviceToken("ci");
const ciToken = issue(ci);
const lookAlike = ciToken.value.slice(0, -1) + (ciToken.value.endsWith("A") ? "B" : "A");
const JSON_TYPE = { "Content-Type": "application/json" };
const validReview = JSON.stringify(tokenReview(ciToken.value));
const validAdmission = admissionRequest("CREATE", "serviceusers", { object: serviceUser("x") });

const t = harnessForFile({
  users: [serviceUser("ci-bot")],
  tokens: [ci],
  records: [ciToken.record],
  logLevel: "info",
});

const post = (
  path: string,
  body: string | Buffer,
  headers: Record<string, string> = JSON_TYPE,
): Call => ({
  method: "POST",
  path,
  headers,
  body,
});
const authenticate = (body: unknown): Call => post("/authenticate", JSON.stringify(body));
const validate = (request: unknown): Call =>
  post("/validate", JSON.stringify(admissionReview(request)));
const deep = (depth: number): string => "[".repeat(depth) + "]".repeat(depth);

/** [what, request, expected status, and for 200s what the body must say] */
const hostile: [string, Call, number, unknown?][] = [
  // /authenticate
  ["truncated JSON", post("/authenticate", '{"apiVersion":'), 400],
  ["a JSON string (not an object)", post("/authenticate", '"svct_x"'), 400],
  ["JSON null", post("/authenticate", "null"), 400],
  ["an empty JSON array", post("/authenticate", "[]"), 400],
  ["an empty body", post("/authenticate", ""), 400],
  [
    "another kind",
    authenticate({ ...(tokenReview(ciToken.value) as object), kind: "SubjectAccessReview" }),
    400,
  ],
  [
    "a TokenReview v1alpha1",
    authenticate({
      ...(tokenReview(ciToken.value) as object),
      apiVersion: "authentication.k8s.io/v1alpha1",
    }),
    400,
  ],
  ["no spec", authenticate({ apiVersion: "authentication.k8s.io/v1", kind: "TokenReview" }), 400],
  [
    "no token",
    authenticate({ apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: {} }),
    400,
  ],
  [
    "a numeric token",
    authenticate({
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenReview",
      spec: { token: 1 },
    }),
    400,
  ],
  [
    "audiences as a string",
    authenticate({
      ...(tokenReview(ciToken.value) as object),
      spec: { token: ciToken.value, audiences: "scim" },
    }),
    400,
  ],
  ["a 1 MiB body", post("/authenticate", JSON.stringify({ pad: "x".repeat(1 << 20) })), 413],
  ["text/plain", post("/authenticate", validReview, { "Content-Type": "text/plain" }), 415],
  ["no Content-Type", post("/authenticate", validReview, {}), 415],
  [
    "a form body",
    post("/authenticate", "token=x", { "Content-Type": "application/x-www-form-urlencoded" }),
    415,
  ],
  [
    "application/jsonp",
    post("/authenticate", validReview, { "Content-Type": "application/jsonp" }),
    415,
  ],
  [
    "a Latin-1 charset",
    post("/authenticate", validReview, { "Content-Type": "application/json; charset=latin1" }),
    415,
  ],
  [
    "a gzip body",
    post("/authenticate", gzipSync(validReview), { ...JSON_TYPE, "Content-Encoding": "gzip" }),
    415,
  ],
  ["JSON nested 20,000 deep", post("/authenticate", deep(20_000)), 400],
  [
    "a __proto__ that claims authenticated",
    post(
      "/authenticate",
      `{"__proto__":{"authenticated":true},"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"${lookAlike}"}}`,
    ),
    200,
    { status: { authenticated: false } },
  ],
  [
    "a look-alike token (checksum off by one)",
    authenticate(tokenReview(lookAlike)),
    200,
    { status: { authenticated: false } },
  ],
  [
    "a bare prefix as token",
    authenticate(tokenReview(TOKEN_PREFIX)),
    200,
    { status: { authenticated: false } },
  ],
  [
    "a 4 KiB token",
    authenticate(tokenReview(`${TOKEN_PREFIX}${"A".repeat(4000)}`)),
    200,
    { status: { authenticated: false } },
  ],
  ["GET /authenticate", { path: "/authenticate" }, 405],
  ["PUT /authenticate", { ...post("/authenticate", validReview), method: "PUT" }, 405],
  ["DELETE /authenticate", { method: "DELETE", path: "/authenticate" }, 405],
  // /validate
  ["invalid JSON to /validate", post("/validate", "{nope"), 400],
  ["a TokenReview to /validate", post("/validate", validReview), 400],
  ["an AdmissionReview without uid", validate({ ...validAdmission, uid: undefined }), 400],
  ["an UPDATE without oldObject", validate({ ...validAdmission, operation: "UPDATE" }), 400],
  ["an unknown operation", validate({ ...validAdmission, operation: "PATCH" }), 400],
  ["userInfo as a string", validate({ ...validAdmission, userInfo: "root" }), 400],
  [
    "a 1 MiB AdmissionReview",
    validate({ ...validAdmission, object: { pad: "x".repeat(1 << 20) } }),
    413,
  ],
  [
    "an AdmissionReview as text/plain",
    post("/validate", JSON.stringify(admissionReview(validAdmission)), {
      "Content-Type": "text/plain",
    }),
    415,
  ],
  ["GET /validate", { path: "/validate" }, 405],
  [
    "a non-Admin impersonating the controller's group",
    validate({
      ...validAdmission,
      userInfo: { username: "mallory", groups: ["system:serviceaccounts:svctokens-system"] },
    }),
    200,
    { response: { uid: "uid-review", allowed: false } },
  ],
  // /verify
  [
    "Basic credentials",
    { path: "/verify", headers: { Authorization: "Basic YWRtaW46YWRtaW4=" } },
    401,
  ],
  [
    "a Bearer look-alike",
    { path: "/verify", headers: { Authorization: `Bearer ${lookAlike}` } },
    401,
  ],
  [
    "two Bearer credentials",
    { path: "/verify", headers: { Authorization: `Bearer ${ciToken.value} ${ciToken.value}` } },
    401,
  ],
  ["an empty Bearer", { path: "/verify", headers: { Authorization: "Bearer " } }, 401],
  [
    "an empty audience",
    { path: "/verify?audience=", headers: { Authorization: `Bearer ${ciToken.value}` } },
    400,
  ],
  [
    "33 audiences",
    {
      path: `/verify?${Array.from({ length: 33 }, (_, i) => `audience=a${i}`).join("&")}`,
      headers: { Authorization: `Bearer ${ciToken.value}` },
    },
    400,
  ],
  [
    "a group with a header injection",
    {
      path: "/verify?group=a%0d%0aX-Auth-Request-User:%20root",
      headers: { Authorization: `Bearer ${ciToken.value}` },
    },
    400,
  ],
  [
    "an unknown parameter in the /verify segment",
    { path: "/verify;role=admin/x", headers: { Authorization: `Bearer ${ciToken.value}` } },
    400,
  ],
  // anywhere
  ["an unknown path", { path: "/admin" }, 404],
  ["a path-traversal attempt", { path: "/authenticate/../../etc/passwd" }, 404],
  ["a sub-path of an endpoint", { path: "/authenticate/admin", method: "POST" }, 404],
  ["a 20 KiB header", { path: "/verify", headers: { "X-Pad": "x".repeat(20 * 1024) } }, 431],
];

describe("hostile and malformed requests", () => {
  it("has at least 30 of them", () => {
    expect(hostile.length).toBeGreaterThanOrEqual(30);
  });

  it.each(hostile)("%s", async (_what, request, status, body) => {
    const answer = await call(t.h, t.pki, request);
    expect(answer.status).toBe(status);
    if (body !== undefined) expect(answer.json()).toMatchObject(body as object);
    if (status >= 400 && status !== 431 && status !== 401) {
      // A Status body with a short reason, never a stack trace or the request echoed back.
      expect(answer.json()).toMatchObject({ kind: "Status", code: status });
    }
    expect(answer.text).not.toMatch(/at .*\.ts:\d+|node_modules|Error:/);
    expect(answer.text).not.toContain(ciToken.value);
  });

  it("still serves afterwards", async () => {
    expect((await call(t.h, t.pki, { path: "/verify" })).status).toBe(401);
    const ok = await postJson(t.h, t.pki, "/authenticate", tokenReview(ciToken.value));
    expect(ok.json()).toMatchObject({ status: { authenticated: true } });
  });

  it("counts refusals without a label per hostile path", async () => {
    const metrics = await t.h.deps.metrics.registry.metrics();
    expect(metrics).toMatch(
      /svctokens_webhook_rejected_requests_total\{route="authenticate",code="415"\} [1-9]/,
    );
    expect(metrics).not.toContain("%2e");
    expect(metrics).not.toContain('route="admin"');
  });
});
