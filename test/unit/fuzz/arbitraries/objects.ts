// Kubernetes objects as the API server (or an attacker at /validate) might send them:
// ServiceUsers, ServiceTokens and Secrets that are valid-ish, with fields of the wrong type,
// huge or odd strings, and real token values hidden in places that are never echoed.
import fc from "fast-check";
import {
  API_GROUP_VERSION,
  DELIVERY_SECRET_TYPE,
  HASH_RECORD_SECRET_TYPE,
  LABEL_TOKEN_ID,
  LABEL_TOKEN_NAME,
  LABEL_TOKEN_NAMESPACE,
  LABEL_TOKEN_UID,
  MANAGED_BY_LABEL_KEY,
  MANAGED_BY_LABEL_VALUE,
} from "../../../../src/api/index.ts";
import { hashToken } from "../../../../src/tokens/index.ts";
import { hugeString, mostly, unicodeString, wrongValue } from "./tokens.ts";

/** Names the world of the fuzz harness knows, and others. */
const objectName = fc.oneof(
  fc.constantFrom("ci-bot", "boss", "ci", "scim", "revoked", "expired", "ci-token", "x"),
  fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/),
  fc.constantFrom("", "..", "a/b", "UPPER"),
);
const timestamp = fc.oneof(
  fc
    .date({ min: new Date("1970-01-01"), max: new Date("2999-12-31"), noInvalidDate: true })
    .map((d) => d.toISOString()),
  fc.constantFrom("2099-01-01T00:00:00Z", "not a time", "0000-00-00T00:00:00Z", ""),
);
const labelKey = fc.oneof(
  fc.constantFrom(
    MANAGED_BY_LABEL_KEY,
    LABEL_TOKEN_NAMESPACE,
    LABEL_TOKEN_NAME,
    LABEL_TOKEN_UID,
    LABEL_TOKEN_ID,
    "svctokens.dev/rotate-requested-at",
    "team.svctokens.dev/core",
  ),
  fc.stringMatching(/^[a-z][a-z0-9.-]{0,12}$/),
);

/** A string field's value: ordinary, odd, huge, or a real token that must not be echoed. */
function text(secrets: readonly string[]): fc.Arbitrary<unknown> {
  return mostly(
    fc.oneof(
      { weight: 4, arbitrary: fc.string({ maxLength: 40 }) },
      { weight: 2, arbitrary: unicodeString },
      { weight: 2, arbitrary: fc.constantFrom(...secrets) },
      { weight: 1, arbitrary: hugeString(300, 3_000) },
    ),
  );
}

function metadata(secrets: readonly string[], namespaced: boolean): fc.Arbitrary<unknown> {
  const values = fc.oneof(
    fc.constantFrom(MANAGED_BY_LABEL_VALUE, "prod", "ci", "svctokens-system", "true"),
    fc.string({ maxLength: 20 }),
    fc.constantFrom(...secrets),
  );
  return mostly(
    fc.record(
      {
        name: mostly(objectName),
        ...(namespaced
          ? { namespace: mostly(fc.constantFrom("prod", "svctokens-system", "kube-system", "")) }
          : {}),
        uid: mostly(fc.oneof(fc.uuid(), fc.constantFrom("uid-user-ci-bot", "uid-token-prod-ci"))),
        resourceVersion: mostly(fc.stringMatching(/^[0-9]{1,6}$/)),
        generation: mostly(fc.integer({ min: -1, max: 10 })),
        labels: mostly(fc.dictionary(labelKey, mostly(values), { maxKeys: 5 })),
        annotations: mostly(
          fc.dictionary(labelKey, mostly(fc.oneof(values, timestamp)), { maxKeys: 5 }),
        ),
        finalizers: mostly(
          fc.array(fc.constantFrom("svctokens.dev/hash-record", "foregroundDeletion", "x/y"), {
            maxLength: 3,
          }),
        ),
        ownerReferences: mostly(
          fc.array(
            fc.record({
              apiVersion: mostly(fc.constant(API_GROUP_VERSION)),
              kind: mostly(fc.constantFrom("ServiceToken", "ServiceUser")),
              name: mostly(objectName),
              uid: mostly(fc.uuid()),
              controller: mostly(fc.boolean()),
            }),
            { maxLength: 2 },
          ),
        ),
        deletionTimestamp: mostly(timestamp),
      },
      { requiredKeys: [] },
    ),
  );
}

export function serviceUserObject(secrets: readonly string[]): fc.Arbitrary<unknown> {
  return fc.record(
    {
      apiVersion: mostly(fc.constant(API_GROUP_VERSION)),
      kind: mostly(fc.constant("ServiceUser")),
      metadata: metadata(secrets, false),
      spec: mostly(
        fc.record(
          {
            role: mostly(fc.constantFrom("Admin", "Manager", "Member", "admin", "Root")),
            teams: mostly(
              fc.array(mostly(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/)), { maxLength: 4 }),
            ),
            active: mostly(fc.boolean()),
            displayName: text(secrets),
            description: text(secrets),
          },
          { requiredKeys: [] },
        ),
      ),
      status: fc.option(wrongValue, { nil: undefined }),
    },
    { requiredKeys: [] },
  );
}

export function serviceTokenObject(secrets: readonly string[]): fc.Arbitrary<unknown> {
  return fc.record(
    {
      apiVersion: mostly(fc.constant(API_GROUP_VERSION)),
      kind: mostly(fc.constant("ServiceToken")),
      metadata: metadata(secrets, true),
      spec: mostly(
        fc.record(
          {
            serviceUser: mostly(objectName),
            description: text(secrets),
            expiresInDays: mostly(fc.integer({ min: -2, max: 400 })),
            revoked: mostly(fc.boolean()),
            audiences: mostly(
              fc.array(mostly(fc.constantFrom("scim", "api", "")), { maxLength: 3 }),
            ),
            secretName: mostly(objectName),
            tokenHash: mostly(fc.oneof(fc.stringMatching(/^sha256:[0-9a-f]{64}$/), text(secrets))),
            rotation: mostly(
              fc.record({
                everyDays: mostly(fc.integer({ min: -1, max: 400 })),
                overlapMinutes: mostly(fc.integer()),
              }),
            ),
          },
          { requiredKeys: [] },
        ),
      ),
      status: fc.option(
        mostly(
          fc.record(
            {
              phase: mostly(fc.constantFrom("Active", "Revoked", "Expired")),
              createdAt: mostly(timestamp),
            },
            { requiredKeys: [] },
          ),
        ),
        { nil: undefined },
      ),
    },
    { requiredKeys: [] },
  );
}

const base64 = (value: string): string => Buffer.from(value).toString("base64");

export function secretObject(secrets: readonly string[]): fc.Arbitrary<unknown> {
  const value = fc.oneof(
    fc.constantFrom(...secrets),
    // The hash of a real value: a planted or stale record for it.
    fc.constantFrom(...secrets.map((secret) => hashToken(secret))),
    fc.string({ maxLength: 40 }),
    fc.stringMatching(/^sha256:[0-9a-f]{64}$/),
  );
  return fc.record(
    {
      apiVersion: mostly(fc.constant("v1")),
      kind: mostly(fc.constant("Secret")),
      metadata: metadata(secrets, true),
      type: mostly(fc.constantFrom(HASH_RECORD_SECRET_TYPE, DELIVERY_SECRET_TYPE, "Opaque")),
      data: mostly(
        fc.dictionary(
          fc.constantFrom("token", "tokenHash", "username", "tokenId"),
          mostly(value.map(base64)),
          { maxKeys: 4 },
        ),
      ),
      stringData: mostly(
        fc.dictionary(fc.constantFrom("token", "tokenHash"), mostly(value), { maxKeys: 2 }),
      ),
    },
    { requiredKeys: [] },
  );
}

/** Any of our kinds, a Secret, or something else entirely. */
export function anyObject(secrets: readonly string[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 3, arbitrary: serviceUserObject(secrets) },
    { weight: 3, arbitrary: serviceTokenObject(secrets) },
    { weight: 2, arbitrary: secretObject(secrets) },
    {
      weight: 1,
      arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), wrongValue, { maxKeys: 4 }),
    },
  );
}
