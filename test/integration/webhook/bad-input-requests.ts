// The malformed and hostile requests of bad-input.test.ts, one table over the three endpoints.
// Requests are built when sent: the service and the good token exist only once the file runs.
import { gzipSync } from "node:zlib";
import { expect } from "vitest";
import { callWebhook, rawWebhookRequest, tokenReview, type WebhookAnswer } from "./webhook-http.ts";
import { type TestWebhook } from "./webhook-support.ts";

/** What the requests are aimed at; bad-input.test.ts fills it in before they are sent. */
export const target = {
  service: undefined as TestWebhook | undefined,
  good: "",
  suffix: "",
  webhook(): TestWebhook {
    if (!this.service) throw new Error("the service is not running");
    return this.service;
  },
};

type Send = () => Promise<Pick<WebhookAnswer, "status" | "text"> & Partial<WebhookAnswer>>;
type Headers = Record<string, string>;
const JSON_TYPE: Headers = { "Content-Type": "application/json" };

const good = (): string => target.good;
/** The good token with its last checksum character changed: a look-alike. */
const alike = (): string => good().slice(0, -1) + (good().endsWith("A") ? "B" : "A");
const goodReview = (): string => JSON.stringify(tokenReview(good()));

/** Any request; `path` and `body` are built when sent. */
const send =
  (method: string, path: string | (() => string), body?: () => string | Buffer): Send =>
  () =>
    callWebhook(target.webhook(), {
      method,
      path: typeof path === "string" ? path : path(),
      headers: JSON_TYPE,
      ...(body ? { body: body() } : {}),
    });
const post =
  (path: string, body: () => string | Buffer, headers = JSON_TYPE, cert = true): Send =>
  () =>
    callWebhook(target.webhook(), {
      method: "POST",
      path,
      headers,
      body: body(),
      clientCert: cert,
    });
/** A TokenReview of the good token with `change` applied. */
const review = (change: (good: string) => object): Send =>
  post("/authenticate", () => JSON.stringify(change(good())));
/** A TokenReview of a token derived from the good one: refused without a lookup. */
const token = (derive: (good: string) => string): Send =>
  post("/authenticate", () => JSON.stringify(tokenReview(derive(good()))));
const verify =
  (path: string, authorization: () => string): Send =>
  () =>
    callWebhook(target.webhook(), { path, headers: { Authorization: authorization() } });
const raw =
  (request: () => string | Buffer): Send =>
  () =>
    rawWebhookRequest(target.webhook(), request());
const rawGet = (path: string, headers: string): string =>
  `GET ${path} HTTP/1.1\r\nHost: webhook\r\n${headers}Connection: close\r\n\r\n`;
const admission = (request: () => Record<string, unknown>): Send =>
  post("/validate", () =>
    JSON.stringify({
      apiVersion: "admission.k8s.io/v1",
      kind: "AdmissionReview",
      request: request(),
    }),
  );
const svctokens = (kind: string, resource: string): Record<string, unknown> => ({
  kind: { group: "svctokens.dev", version: "v1alpha1", kind },
  resource: { group: "svctokens.dev", version: "v1alpha1", resource },
});
/** alice (no rights) creating an Admin ServiceUser, with `extra` changes. */
const userCreate = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  uid: "hostile",
  ...svctokens("ServiceUser", "serviceusers"),
  name: `mallory-${target.suffix}`,
  operation: "CREATE",
  userInfo: { username: "alice", groups: ["system:authenticated"] },
  object: { metadata: { name: `mallory-${target.suffix}` }, spec: { role: "Admin" } },
  ...extra,
});
const refused = { status: { authenticated: false } };
const denied = (message: string): unknown => ({
  response: {
    uid: "hostile",
    allowed: false,
    status: { code: 403, message: expect.stringContaining(message) as unknown },
  },
});
const MIB = "x".repeat(1 << 20);

/** [what, request, expected HTTP status, what the JSON body must contain] */
export const HOSTILE: [string, Send, number, unknown?][] = [
  // POST /authenticate (TokenReview)
  ["truncated JSON", post("/authenticate", () => '{"apiVersion":'), 400],
  ["a JSON array", post("/authenticate", () => "[]"), 400],
  ["an empty body", post("/authenticate", () => ""), 400],
  ["JSON nested 20,000 deep", post("/authenticate", () => "[".repeat(2e4) + "]".repeat(2e4)), 400],
  ["another kind", review((t) => ({ ...tokenReview(t), kind: "SubjectAccessReview" })), 400],
  [
    "a TokenReview v1alpha1",
    review((t) => ({ ...tokenReview(t), apiVersion: "authentication.k8s.io/v1alpha1" })),
    400,
  ],
  ["no spec", review(() => ({ apiVersion: "authentication.k8s.io/v1", kind: "TokenReview" })), 400],
  ["no token", review((t) => ({ ...tokenReview(t), spec: {} })), 400],
  ["a numeric token", review((t) => ({ ...tokenReview(t), spec: { token: 7 } })), 400],
  [
    "audiences as a string",
    review((t) => ({ ...tokenReview(t), spec: { token: t, audiences: "scim" } })),
    400,
  ],
  ["a token over 4 KiB", token(() => `svct_${"A".repeat(5000)}`), 400],
  ["a 1 MiB body", review((t) => ({ ...tokenReview(t), pad: MIB })), 413],
  ["text/plain", post("/authenticate", goodReview, { "Content-Type": "text/plain" }), 415],
  ["no Content-Type", post("/authenticate", goodReview, {}), 415],
  [
    "a form body",
    post("/authenticate", () => `token=${good()}`, {
      "Content-Type": "application/x-www-form-urlencoded",
    }),
    415,
  ],
  [
    "a Latin-1 charset",
    post("/authenticate", goodReview, { "Content-Type": "application/json; charset=latin1" }),
    415,
  ],
  [
    "a gzip body",
    post("/authenticate", () => gzipSync(goodReview()), {
      ...JSON_TYPE,
      "Content-Encoding": "gzip",
    }),
    415,
  ],
  ["no client certificate", post("/authenticate", goodReview, JSON_TYPE, false), 401],
  [
    "the token in the query string",
    send(
      "POST",
      () => `/authenticate?token=${good()}`,
      () => "{}",
    ),
    400,
  ],
  ["GET /authenticate", send("GET", "/authenticate"), 405],
  ["PUT /authenticate", send("PUT", "/authenticate", goodReview), 405],
  ["a look-alike (checksum changed)", token(alike), 200, refused],
  ["another prefix", token((t) => `svcx_${t.slice(5)}`), 200, refused],
  ["the token upper-cased", token((t) => t.toUpperCase()), 200, refused],
  ["the token padded with spaces", token((t) => ` ${t} `), 200, refused],
  ["the token with a zero-width space", token((t) => `${t}\u200b`), 200, refused],
  [
    "a review that brings its own answer",
    review(() => ({
      ...tokenReview(alike()),
      status: { authenticated: true, user: { username: "admin" } },
    })),
    200,
    refused,
  ],
  [
    "non-UTF-8 bytes in the token",
    post("/authenticate", () =>
      Buffer.concat([
        Buffer.from(goodReview().slice(0, -5)),
        Buffer.from([0xff, 0xfe, 0x22, 0x7d, 0x7d]),
      ]),
    ),
    200,
    refused,
  ],
  [
    "Content-Length and Transfer-Encoding (smuggling)",
    raw(
      () =>
        "POST /authenticate HTTP/1.1\r\nHost: w\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    ),
    400,
  ],
  // /verify (forward-auth)
  [
    "no credentials, the token in the query string",
    send("GET", () => `/verify?token=${good()}`),
    401,
  ],
  [
    "Basic credentials holding the token",
    verify("/verify", () => `Basic ${Buffer.from(`ci:${good()}`).toString("base64")}`),
    401,
  ],
  ["a Bearer look-alike", verify("/verify", () => `Bearer ${alike()}`), 401],
  ["two Bearer credentials", verify("/verify", () => `Bearer ${alike()} ${good()}`), 401],
  ["an empty Bearer", verify("/verify", () => "Bearer "), 401],
  ["an empty audience", verify("/verify?audience=", () => `Bearer ${good()}`), 400],
  [
    "33 audiences",
    verify(
      `/verify?${Array.from({ length: 33 }, (_, i) => `audience=a${i}`).join("&")}`,
      () => `Bearer ${good()}`,
    ),
    400,
  ],
  // Any method is forward-auth (Envoy, Traefik): a TokenReview body there is no TokenReview.
  ["a TokenReview POSTed to /verify", send("POST", "/verify", goodReview), 401],
  ["a malformed ?group=", verify("/verify?group=a,,b", () => `Bearer ${good()}`), 400],
  [
    "a bare CR injecting an identity header",
    raw(() => rawGet("/verify", `Authorization: Bearer ${alike()}\rX-Auth-Request-User: root\r\n`)),
    400,
  ],
  [
    "a folded Authorization header",
    raw(() => rawGet("/verify", `Authorization: Bearer\r\n ${good()}\r\n`)),
    400,
  ],
  [
    "CRLF in an audience",
    raw(() =>
      rawGet(
        "/verify?audience=a%0d%0aX-Auth-Request-User:%20root",
        `Authorization: Bearer ${alike()}\r\n`,
      ),
    ),
    401,
  ],
  [
    "non-UTF-8 bytes in the Bearer token",
    raw(() =>
      Buffer.from(rawGet("/verify", "Authorization: Bearer svct_\xff\xfe\x80\r\n"), "latin1"),
    ),
    401,
  ],
  // POST /validate (AdmissionReview)
  ["invalid JSON to /validate", post("/validate", () => "{nope"), 400],
  ["a TokenReview to /validate", post("/validate", goodReview), 400],
  [
    "an AdmissionReview v1beta1",
    post("/validate", () =>
      JSON.stringify({
        apiVersion: "admission.k8s.io/v1beta1",
        kind: "AdmissionReview",
        request: userCreate(),
      }),
    ),
    400,
  ],
  ["an AdmissionReview without uid", admission(() => userCreate({ uid: undefined })), 400],
  ["an UPDATE without oldObject", admission(() => userCreate({ operation: "UPDATE" })), 400],
  ["an unknown operation", admission(() => userCreate({ operation: "PATCH" })), 400],
  ["userInfo as a string", admission(() => userCreate({ userInfo: "root" })), 400],
  ["a 1 MiB AdmissionReview", admission(() => userCreate({ object: { pad: MIB } })), 413],
  [
    "an AdmissionReview as text/plain",
    post("/validate", () => "{}", { "Content-Type": "text/plain" }),
    415,
  ],
  ["GET /validate", send("GET", "/validate"), 405],
  [
    "alice creating an Admin ServiceUser",
    admission(() => userCreate()),
    200,
    denied('"alice" is not an Admin'),
  ],
  [
    "a ServiceToken without a spec",
    admission(() =>
      userCreate({
        ...svctokens("ServiceToken", "servicetokens"),
        namespace: "default",
        object: { metadata: { name: "x" } },
      }),
    ),
    200,
    denied("fix these fields"),
  ],
  // anywhere
  ["an unknown path", send("GET", "/admin"), 404],
  ["a path-traversal attempt", send("GET", "/verify/../../etc/passwd"), 404],
  ["a 20 KiB header", raw(() => rawGet("/verify", `X-Pad: ${"x".repeat(20 * 1024)}\r\n`)), 431],
];
