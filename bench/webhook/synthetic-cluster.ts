// Objects shaped as kube-apiserver hands them to an informer (uids, resourceVersions,
// managedFields, kubectl's last-applied annotation, conditions): a ServiceUser per 100 tokens,
// and per token a ServiceToken and the hash record the controller wrote. Token values are
// derived from the index, so every process of a benchmark knows them without sharing a list.
import { createHash } from "node:crypto";
import { CONTROLLER_FIELD_MANAGER, HASH_RECORD_SECRET_TYPE } from "../../src/api/index.ts";
import { desiredHashRecord } from "../../src/domain/hash-record.ts";
import type { KubeObject, ManagedFieldsEntry } from "../../src/k8s/object.ts";
import { encodeBase62 } from "../../src/tokens/base62.ts";
import { tokenChecksum } from "../../src/tokens/checksum.ts";
import { hashToken, TOKEN_PREFIX, tokenIdFromHash } from "../../src/tokens/index.ts";

export const OPERATOR_NAMESPACE = "svctokens-system";
export const TOKENS_PER_USER = 100;
export const TOKEN_NAMESPACES = 10;
const CREATED_AT = new Date("2026-11-01T00:00:00Z");
const EXPIRES_AT = new Date(CREATED_AT.getTime() + 365 * 86_400_000);

/** The token value of index `i` (deterministic, well-formed). */
export function tokenValue(i: number): string {
  const bytes = createHash("sha256").update(`svctokens-bench-${i}`).digest("hex");
  const checked = TOKEN_PREFIX + encodeBase62(BigInt(`0x${bytes}`), 43);
  return checked + tokenChecksum(checked);
}

export const userName = (i: number): string => `bench-user-${Math.floor(i / TOKENS_PER_USER)}`;
export const userUid = (i: number): string =>
  `00000000-0000-4000-8000-${String(Math.floor(i / TOKENS_PER_USER)).padStart(12, "0")}`;
export const tokenNamespace = (i: number): string => `bench-${i % TOKEN_NAMESPACES}`;
export const tokenUid = (i: number): string =>
  `10000000-0000-4000-8000-${String(i).padStart(12, "0")}`;

const managed = (
  manager: string,
  operation: string,
  fields: Record<string, unknown>,
  sub?: string,
  apiVersion = "svctokens.dev/v1alpha1",
): ManagedFieldsEntry & Record<string, unknown> => ({
  manager,
  operation,
  apiVersion,
  time: CREATED_AT.toISOString(),
  fieldsType: "FieldsV1",
  fieldsV1: fields,
  ...(sub ? { subresource: sub } : {}),
});

const condition = (type: string, status: string, reason: string, message: string): object => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: CREATED_AT.toISOString(),
  observedGeneration: 1,
});

/** The managedFields of a Ready condition, as kube-apiserver records them for its writer. */
export const READY_CONDITION_FIELDS = {
  ".": {},
  'k:{"type":"Ready"}': {
    ".": {},
    "f:lastTransitionTime": {},
    "f:message": {},
    "f:observedGeneration": {},
    "f:reason": {},
    "f:status": {},
    "f:type": {},
  },
};

const conditionFields = { "f:conditions": READY_CONDITION_FIELDS };

/** The spec a person applies (what kubectl's last-applied annotation repeats). */
function tokenSpec(i: number): { serviceUser: string; description: string; expiresInDays: number } {
  return { serviceUser: userName(i), description: `bench token ${i}`, expiresInDays: 365 };
}

/** A ServiceToken as applied with `kubectl apply` (spec, annotation) and settled by the controller. */
export function serviceTokenSpecObject(i: number): KubeObject {
  return {
    apiVersion: "svctokens.dev/v1alpha1",
    kind: "ServiceToken",
    metadata: { name: `t-${i}`, namespace: tokenNamespace(i) },
    spec: tokenSpec(i),
  };
}

/** The status the controller writes for token `i`. */
export function serviceTokenStatus(i: number): Record<string, unknown> {
  const tokenId = tokenIdFromHash(hashToken(tokenValue(i)));
  return {
    phase: "Active",
    tokenId,
    username: `${userName(i)}@service`,
    secretName: `t-${i}-token`,
    createdAt: CREATED_AT.toISOString(),
    serviceUserUid: userUid(i),
    expiresAt: EXPIRES_AT.toISOString(),
    expiresIn: "365d",
    conditions: [condition("Ready", "True", "Active", "The token is active until its expiry.")],
    observedGeneration: 1,
  };
}

/** ServiceToken `i` as the API server lists it. */
export function listedServiceToken(i: number): KubeObject {
  const applied = serviceTokenSpecObject(i);
  return {
    ...applied,
    metadata: {
      name: `t-${i}`,
      namespace: tokenNamespace(i),
      uid: tokenUid(i),
      resourceVersion: String(1000 + i),
      generation: 1,
      creationTimestamp: CREATED_AT.toISOString(),
      finalizers: ["svctokens.dev/hash-record"],
      annotations: {
        "kubectl.kubernetes.io/last-applied-configuration": `${JSON.stringify(applied)}\n`,
      },
      ownerReferences: [
        {
          apiVersion: "svctokens.dev/v1alpha1",
          kind: "ServiceUser",
          name: userName(i),
          uid: userUid(i),
          blockOwnerDeletion: true,
        },
      ],
      managedFields: [
        managed("kubectl-client-side-apply", "Update", {
          "f:metadata": {
            "f:annotations": { ".": {}, "f:kubectl.kubernetes.io/last-applied-configuration": {} },
          },
          "f:spec": { ".": {}, "f:description": {}, "f:expiresInDays": {}, "f:serviceUser": {} },
        }),
        managed(CONTROLLER_FIELD_MANAGER, "Apply", {
          "f:metadata": { "f:finalizers": { 'v:"svctokens.dev/hash-record"': {} } },
          "f:ownerReferences": { [`k:{"uid":"${userUid(i)}"}`]: {} },
        }),
        managed(
          CONTROLLER_FIELD_MANAGER,
          "Apply",
          {
            "f:status": {
              "f:createdAt": {},
              "f:expiresAt": {},
              "f:expiresIn": {},
              "f:observedGeneration": {},
              "f:phase": {},
              "f:secretName": {},
              "f:serviceUserUid": {},
              "f:tokenId": {},
              "f:username": {},
              ...conditionFields,
            },
          },
          "status",
        ),
      ],
    },
    status: serviceTokenStatus(i),
  };
}

/** The hash record of token `i` as the API server lists it. */
export function listedHashRecord(i: number): KubeObject {
  const token = { namespace: tokenNamespace(i), name: `t-${i}`, uid: tokenUid(i) };
  const record = desiredHashRecord({
    operatorNamespace: OPERATOR_NAMESPACE,
    token,
    serviceUserUid: userUid(i),
    hash: hashToken(tokenValue(i)),
    createdAt: CREATED_AT,
    expiresAt: EXPIRES_AT,
  });
  const fieldsV1 = {
    "f:data": { ".": {}, "f:tokenHash": {} },
    "f:metadata": {
      "f:annotations": { "f:svctokens.dev/created-at": {}, "f:svctokens.dev/expires-at": {} },
      "f:labels": Object.fromEntries(
        Object.keys(record.metadata?.labels ?? {}).map((key) => [`f:${key}`, {}]),
      ),
      "f:ownerReferences": {},
    },
    "f:type": {},
  };
  return {
    ...record,
    type: HASH_RECORD_SECRET_TYPE,
    metadata: {
      ...record.metadata,
      uid: `20000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
      resourceVersion: String(2000 + i),
      creationTimestamp: CREATED_AT.toISOString(),
      managedFields: [managed(CONTROLLER_FIELD_MANAGER, "Apply", fieldsV1, undefined, "v1")],
    },
  };
}

/** The ServiceUser spec a person applies for user number `u`. */
export function serviceUserSpecObject(u: number): KubeObject {
  return {
    apiVersion: "svctokens.dev/v1alpha1",
    kind: "ServiceUser",
    metadata: { name: userName(u * TOKENS_PER_USER) },
    spec: { role: "Member", teams: ["payments", "search"], displayName: `Bench user ${u}` },
  };
}

/** ServiceUser `u` as the API server lists it. */
export function listedServiceUser(u: number): KubeObject {
  const applied = serviceUserSpecObject(u);
  const i = u * TOKENS_PER_USER;
  return {
    ...applied,
    metadata: {
      name: userName(i),
      uid: userUid(i),
      resourceVersion: String(500 + u),
      generation: 1,
      creationTimestamp: CREATED_AT.toISOString(),
      annotations: {
        "kubectl.kubernetes.io/last-applied-configuration": `${JSON.stringify(applied)}\n`,
      },
      managedFields: [
        managed("kubectl-client-side-apply", "Update", {
          "f:spec": { ".": {}, "f:displayName": {}, "f:role": {}, "f:teams": {} },
        }),
      ],
    },
    spec: { ...(applied.spec as object), active: true },
    status: {
      username: `${userName(i)}@service`,
      groups: [
        "svctokens:service-users",
        "svctokens:role:member",
        "svctokens:team:payments",
        "svctokens:team:search",
      ],
      phase: "Active",
      activeTokens: TOKENS_PER_USER,
      tokens: TOKENS_PER_USER,
      conditions: [condition("Ready", "True", "Active", "The Service User is active.")],
      observedGeneration: 1,
    },
  };
}

/** How many ServiceUsers hold `tokens` tokens. */
export const userCount = (tokens: number): number => Math.ceil(tokens / TOKENS_PER_USER);
