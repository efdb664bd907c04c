// Whole requests for each endpoint: TokenReviews (v1 and v1beta1), /verify calls, and
// AdmissionReviews built from the object arbitraries; and raw bytes, as a body or as the whole
// HTTP request, including valid JSON with a few characters spliced in.
import fc from "fast-check";
import { anyObject } from "./objects.ts";
import { hugeString, mostly, presentedToken, unicodeString, wrongValue } from "./tokens.ts";

export const TOKEN_REVIEW_VERSIONS = [
  "authentication.k8s.io/v1",
  "authentication.k8s.io/v1beta1",
] as const;
export const CONTROLLER = "system:serviceaccount:svctokens-system:svctokens-controller";

const audiences = fc.option(
  mostly(
    fc.array(
      mostly(fc.oneof(fc.constantFrom("scim", "api", "SCIM", ""), fc.string({ maxLength: 12 }))),
      { maxLength: 4 },
    ),
  ),
  { nil: undefined },
);

/** A TokenReview of one version; `secrets` are hidden in fields that are never echoed. */
export function tokenReviewBody(
  apiVersion: string,
  known: readonly string[],
): fc.Arbitrary<Record<string, unknown>> {
  return fc.record(
    {
      apiVersion: mostly(fc.constant(apiVersion)),
      kind: mostly(fc.constant("TokenReview")),
      metadata: fc.option(mostly(fc.record({ name: mostly(fc.constantFrom(...known)) })), {
        nil: undefined,
      }),
      spec: mostly(
        fc.record({ token: mostly(presentedToken(known)), audiences }, { requiredKeys: ["token"] }),
      ),
      // A client claiming the answer: must be ignored.
      status: fc.option(
        fc.record({
          authenticated: fc.boolean(),
          user: fc.record({
            username: fc.constantFrom("system:admin", ...known),
            groups: fc.constant(["system:masters"]),
          }),
        }),
        { nil: undefined },
      ),
    },
    { requiredKeys: ["apiVersion", "kind", "spec"] },
  );
}

const HEADER_UNSAFE = /[^\t\x20-\x7e\x80-\xff]/g;

/** Node's client refuses other characters in a header value: those go through raw requests. */
export const headerSafe = (value: string): string => value.replace(HEADER_UNSAFE, "");

/** /verify: methods, Envoy-style sub-paths, Authorization header variants, query strings. */
export interface VerifyCall {
  method: string;
  path: string;
  /** Whether the path has a sub-path, whose query /verify must not read. */
  subPath: boolean;
  authorization: string | undefined;
  /** The token presented, if any: it must never come back. */
  token: string | undefined;
}

const QUERY_SAFE = fc.constantFrom(..."abcXYZ019-_.~%&=+[];:,/?!$'()*@".split(""));

export function verifyCall(known: readonly string[]): fc.Arbitrary<VerifyCall> {
  const scheme = fc.constantFrom(
    "Bearer ",
    "bearer ",
    "BEARER  ",
    "Bearer\t",
    "Basic ",
    "Token ",
    "",
    "Bearer",
  );
  const query = fc.oneof(
    fc.constant(""),
    fc
      .array(
        fc.tuple(
          fc.constantFrom("audience", "audience[]", "audience[0]", "Audience", "aud"),
          fc.oneof(
            { weight: 10, arbitrary: fc.constantFrom("scim", "api", "") },
            { weight: 10, arbitrary: fc.string({ maxLength: 20 }) },
            { weight: 1, arbitrary: hugeString(900, 1100) },
          ),
        ),
        { maxLength: 40 },
      )
      .map(
        (pairs) =>
          `?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(Buffer.from(v).toString())}`).join("&")}`,
      ),
    fc.string({ unit: QUERY_SAFE, maxLength: 60 }).map((raw) => `?${raw}`),
  );
  return fc
    .record({
      method: fc.constantFrom("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"),
      // Envoy appends the client's path (no dot segments here: the client would resolve them).
      subPath: fc.constantFrom("", "", "", "/", "/api/v1/users", "/x;audience=scim"),
      query,
      scheme,
      token: fc.option(presentedToken(known), { nil: undefined }),
      trailer: fc.constantFrom("", " ", "  extra", ` ${known[0] ?? ""}`),
    })
    .map(({ method, subPath, query, scheme, token, trailer }) => {
      const authorization =
        token === undefined ? undefined : headerSafe(`${scheme}${token}${trailer}`);
      return {
        method,
        path: `/verify${subPath}${query}`,
        subPath: subPath !== "",
        authorization,
        token,
      };
    });
}

const userInfo = mostly(
  fc.record(
    {
      username: mostly(
        fc.oneof(
          fc.constantFrom(
            "root",
            "alice",
            CONTROLLER,
            "system:serviceaccount:kube-system:generic-garbage-collector",
            "ci-bot@service",
          ),
          fc.string({ maxLength: 30 }),
        ),
      ),
      uid: mostly(fc.uuid()),
      groups: mostly(
        fc.array(
          mostly(
            fc.constantFrom(
              "system:masters",
              "system:authenticated",
              "svctokens:role:admin",
              "system:serviceaccounts:svctokens-system",
            ),
          ),
          { maxLength: 4 },
        ),
      ),
      extra: mostly(
        fc.dictionary(
          fc.constantFrom("scopes", "svctokens.dev/token-id"),
          fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }),
          { maxKeys: 2 },
        ),
      ),
    },
    { requiredKeys: [] },
  ),
);

const RESOURCES = [
  { group: "svctokens.dev", version: "v1alpha1", resource: "serviceusers", kind: "ServiceUser" },
  { group: "svctokens.dev", version: "v1alpha1", resource: "servicetokens", kind: "ServiceToken" },
  { group: "", version: "v1", resource: "secrets", kind: "Secret" },
  { group: "apps", version: "v1", resource: "deployments", kind: "Deployment" },
] as const;

/** An AdmissionReview for one of our resources (or another), mostly well-formed. */
export function admissionReviewBody(
  known: readonly string[],
): fc.Arbitrary<Record<string, unknown>> {
  const request = fc
    .record(
      {
        uid: mostly(fc.oneof(fc.uuid(), fc.string({ minLength: 1, maxLength: 10 }))),
        target: fc.constantFrom(...RESOURCES),
        subResource: fc.option(mostly(fc.constantFrom("status", "finalizers", "")), {
          nil: undefined,
        }),
        name: fc.option(mostly(fc.constantFrom("ci-bot", "ci", "x")), { nil: undefined }),
        namespace: fc.option(mostly(fc.constantFrom("prod", "svctokens-system", "kube-system")), {
          nil: undefined,
        }),
        operation: mostly(fc.constantFrom("CREATE", "UPDATE", "DELETE", "CONNECT")),
        userInfo,
        object: fc.option(mostly(anyObject(known)), { nil: undefined }),
        oldObject: fc.option(mostly(anyObject(known)), { nil: undefined }),
        dryRun: fc.option(mostly(fc.boolean()), { nil: undefined }),
      },
      { requiredKeys: ["uid", "target", "operation", "userInfo"] },
    )
    .map(({ target, ...rest }) => ({
      ...rest,
      kind: { group: target.group, version: target.version, kind: target.kind },
      resource: { group: target.group, version: target.version, resource: target.resource },
    }));
  return fc.record(
    {
      apiVersion: mostly(fc.constant("admission.k8s.io/v1")),
      kind: mostly(fc.constant("AdmissionReview")),
      request: mostly(request),
    },
    { requiredKeys: ["apiVersion", "kind", "request"] },
  );
}

/** A JSON text with a few characters inserted, deleted or replaced. */
export function splicedJson(body: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  const edit = fc.record({
    at: fc.nat(),
    remove: fc.nat({ max: 3 }),
    insert: fc.oneof(
      fc.constantFrom("{", "}", '"', ",", ":", "\\", "\\u", "[", "\u0000", "null"),
      unicodeString,
    ),
  });
  return fc.tuple(body, fc.array(edit, { minLength: 1, maxLength: 3 })).map(([value, edits]) => {
    let text = JSON.stringify(value) ?? "null";
    for (const { at, remove, insert } of edits) {
      const i = at % (text.length + 1);
      text = text.slice(0, i) + insert + text.slice(i + remove);
    }
    return text;
  });
}

/** A POST body as bytes: arbitrary bytes, spliced JSON, or JSON of a wrong type. */
export function rawBody(known: readonly string[]): fc.Arbitrary<Buffer> {
  return fc.oneof(
    fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes)),
    splicedJson(
      fc.oneof(tokenReviewBody(TOKEN_REVIEW_VERSIONS[0], known), admissionReviewBody(known)),
    ).map((t) => Buffer.from(t)),
    wrongValue.map((v) => Buffer.from(JSON.stringify(v) ?? "")),
    fc
      .constantFrom(
        `{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"${known[1] ?? ""}"},"__proto__":{"authenticated":true}}`,
        `{"constructor":{"prototype":{"authenticated":true}}}`,
        "[".repeat(5000),
        "1e999999",
        '"\\ud800"',
      )
      .map((t) => Buffer.from(t)),
  );
}

/** A whole HTTP request as bytes, written straight onto the TLS socket. */
export function rawHttpRequest(): fc.Arbitrary<Buffer> {
  const path = fc.constantFrom(
    "/authenticate",
    "/validate",
    "/verify",
    "/healthz",
    "/readyz",
    "/metrics",
    "*",
    "//",
    "/%",
    "/..%2f",
  );
  const method = fc.constantFrom("GET", "POST", "PUT", "OPTIONS", "TRACE", "CONNECT", "GETT", "");
  const header = fc.oneof(
    fc.constantFrom(
      "Content-Type: application/json",
      "Content-Length: 5",
      "Content-Length: -1",
      "Content-Length: 99999999999",
      "Transfer-Encoding: chunked",
      "Transfer-Encoding: gzip, chunked",
      "Expect: 100-continue",
      "Host:",
      "Authorization: Bearer \u00ff",
    ),
    fc.string({ unit: "binary", maxLength: 40 }),
  );
  return fc.oneof(
    fc.uint8Array({ maxLength: 1024 }).map((bytes) => Buffer.from(bytes)),
    fc
      .record({
        method,
        path,
        version: fc.constantFrom("HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/1.1 x"),
        headers: fc.array(header, { maxLength: 5 }),
        body: fc.string({ maxLength: 64 }),
      })
      .map(({ method, path, version, headers, body }) =>
        Buffer.from(
          `${method} ${path} ${version}\r\nHost: localhost\r\n${headers.join("\r\n")}\r\nConnection: close\r\n\r\n${body}`,
          "latin1",
        ),
      ),
  );
}
