import { describe, expect, it } from "vitest";
import {
  ANNOTATION_CREATED_AT,
  ANNOTATION_EXPIRES_AT,
  HASH_RECORD_HASH_KEY,
  desiredHashRecord,
  hashRecordName,
  readHashRecord,
  readTrustedHashRecord,
} from "../../../src/domain/hash-record.ts";
import type { KubeObject } from "../../../src/k8s/object.ts";
import { hashToken, tokenIdFromHash } from "../../../src/tokens/index.ts";

const HASH = hashToken("svct_example");
const TOKEN = { namespace: "prod", name: "ci", uid: "0b6a5c1e-uid" };
const CREATED = new Date("2025-06-01T12:00:00.000Z");
const EXPIRES = new Date("2025-07-01T12:00:00.000Z");

function record(expiresAt: Date | undefined): KubeObject {
  return desiredHashRecord({
    operatorNamespace: "svctokens-system",
    token: TOKEN,
    serviceUserUid: "uid-user",
    hash: HASH,
    createdAt: CREATED,
    expiresAt,
  });
}

const b64 = (text: string): string => Buffer.from(text).toString("base64");

describe("desiredHashRecord", () => {
  it("is a typed Secret in the operator namespace, labelled with the token it belongs to", () => {
    expect(record(EXPIRES)).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: {
        name: `token-${TOKEN.uid}`,
        namespace: "svctokens-system",
        labels: {
          "app.kubernetes.io/managed-by": "svctokens",
          "svctokens.dev/token-namespace": "prod",
          "svctokens.dev/token-name": "ci",
          "svctokens.dev/token-uid": TOKEN.uid,
          "svctokens.dev/token-id": tokenIdFromHash(HASH),
          "svctokens.dev/service-user-uid": "uid-user",
        },
        annotations: {
          "svctokens.dev/created-at": "2025-06-01T12:00:00.000Z",
          "svctokens.dev/expires-at": "2025-07-01T12:00:00.000Z",
        },
      },
      type: "svctokens.dev/token-hash",
      data: { tokenHash: b64(HASH) },
    });
  });

  it("has no expires-at annotation for a token that never expires", () => {
    expect(record(undefined).metadata?.annotations).toEqual({
      [ANNOTATION_CREATED_AT]: CREATED.toISOString(),
    });
  });

  it("is named after the token uid, so regenerating keeps the name", () => {
    expect(hashRecordName("abc")).toBe("token-abc");
    expect(record(EXPIRES).metadata?.name).toBe(hashRecordName(TOKEN.uid));
  });
});

describe("readHashRecord", () => {
  it.each([
    { expiresAt: EXPIRES, label: "expiring" },
    { expiresAt: undefined, label: "never expiring" },
  ])("reads back what desiredHashRecord wrote ($label)", ({ expiresAt }) => {
    expect(readHashRecord(record(expiresAt))).toEqual({
      name: `token-${TOKEN.uid}`,
      hash: HASH,
      tokenId: tokenIdFromHash(HASH),
      tokenNamespace: TOKEN.namespace,
      tokenName: TOKEN.name,
      tokenUid: TOKEN.uid,
      serviceUserUid: "uid-user",
      createdAt: CREATED,
      expiresAt,
    });
  });

  // Each case damages one thing in an otherwise valid record.
  const damaged: { what: string; damage: (secret: KubeObject) => void }[] = [
    { what: "type Opaque", damage: (s) => (s.type = "Opaque") },
    { what: "delivery Secret type", damage: (s) => (s.type = "svctokens.dev/service-token") },
    { what: "no type", damage: (s) => delete s.type },
    { what: "no name", damage: (s) => delete s.metadata?.name },
    {
      what: "no token-namespace label",
      damage: (s) => delete s.metadata?.labels?.["svctokens.dev/token-namespace"],
    },
    {
      what: "no token-name label",
      damage: (s) => delete s.metadata?.labels?.["svctokens.dev/token-name"],
    },
    {
      what: "no token-uid label",
      damage: (s) => delete s.metadata?.labels?.["svctokens.dev/token-uid"],
    },
    {
      what: "empty token-name label",
      damage: (s) => ((s.metadata?.labels ?? {})["svctokens.dev/token-name"] = ""),
    },
    { what: "no labels at all", damage: (s) => delete s.metadata?.labels },
    { what: "no data", damage: (s) => delete s.data },
    { what: "no hash key", damage: (s) => (s.data = { other: b64(HASH) }) },
    { what: "hash not base64-encoded", damage: (s) => (s.data = { [HASH_RECORD_HASH_KEY]: HASH }) },
    {
      what: "hash in uppercase",
      damage: (s) => (s.data = { [HASH_RECORD_HASH_KEY]: b64(HASH.toUpperCase()) }),
    },
    {
      what: "hash too short",
      damage: (s) => (s.data = { [HASH_RECORD_HASH_KEY]: b64(HASH.slice(0, -1)) }),
    },
    {
      what: "hash with a trailing newline",
      damage: (s) => (s.data = { [HASH_RECORD_HASH_KEY]: b64(`${HASH}\n`) }),
    },
    {
      what: "another algorithm",
      damage: (s) => (s.data = { [HASH_RECORD_HASH_KEY]: b64(HASH.replace("sha256", "sha512")) }),
    },
    {
      what: "no created-at annotation",
      damage: (s) => delete s.metadata?.annotations?.[ANNOTATION_CREATED_AT],
    },
    { what: "no annotations at all", damage: (s) => delete s.metadata?.annotations },
    {
      what: "created-at not a date",
      damage: (s) => ((s.metadata?.annotations ?? {})[ANNOTATION_CREATED_AT] = "yesterday"),
    },
    {
      what: "created-at empty",
      damage: (s) => ((s.metadata?.annotations ?? {})[ANNOTATION_CREATED_AT] = ""),
    },
    {
      what: "expires-at not a date",
      damage: (s) => ((s.metadata?.annotations ?? {})[ANNOTATION_EXPIRES_AT] = "2025-13-45"),
    },
    {
      what: "expires-at empty",
      damage: (s) => ((s.metadata?.annotations ?? {})[ANNOTATION_EXPIRES_AT] = ""),
    },
  ];

  it.each(damaged)("rejects a record with $what", ({ damage }) => {
    const secret = structuredClone(record(EXPIRES));
    expect(readHashRecord(secret)).toBeDefined();
    damage(secret);
    expect(readHashRecord(secret)).toBeUndefined();
  });

  it.each([42, null, { nested: "x" }, ["a"]])(
    "rejects a hash of the wrong type (%j), not throws",
    (value) => {
      const secret = structuredClone(record(EXPIRES));
      (secret as { data: Record<string, unknown> }).data = { tokenHash: value };
      expect(readHashRecord(secret)).toBeUndefined();
    },
  );

  it("rejects an object with no metadata", () => {
    expect(readHashRecord({ type: "svctokens.dev/token-hash", data: {} })).toBeUndefined();
  });

  it("derives tokenId from the hash, not from the token-id label", () => {
    const secret = structuredClone(record(EXPIRES));
    (secret.metadata?.labels ?? {})["svctokens.dev/token-id"] = "ffffffffffffffff";
    expect(readHashRecord(secret)?.tokenId).toBe(tokenIdFromHash(HASH));
  });
});

describe("readTrustedHashRecord", () => {
  const byController = (secret: KubeObject, manager = "svctokens-controller"): KubeObject => ({
    ...secret,
    metadata: { ...secret.metadata, managedFields: [{ manager, fieldsV1: { "f:data": {} } }] },
  });
  const renamed = (secret: KubeObject, name: string): KubeObject => ({
    ...secret,
    metadata: { ...secret.metadata, name },
  });
  it.each<[string, KubeObject, boolean]>([
    ["written by the controller under token-<uid>", byController(record(EXPIRES)), true],
    ["a non-canonical name", byController(renamed(record(EXPIRES), "token-copy")), false],
    [
      "the canonical name of another token",
      byController(renamed(record(EXPIRES), "token-other-uid")),
      false,
    ],
    ["data written by someone else", byController(record(EXPIRES), "kubectl-create"), false],
    ["no managedFields", record(EXPIRES), false],
  ])("%s → %s", (_case, secret, trusted) => {
    expect(readTrustedHashRecord(secret) !== undefined).toBe(trusted);
  });
});
