// Settled objects, as kube-apiserver lists them after bench:controller:scale created them and a
// controller settled them: ServiceUsers with the status the controller writes, ServiceTokens
// with the finalizer, owner reference and status, delivery Secrets and hash records. Built with
// the domain's own functions (desired*), so a controller started over them finds nothing to do;
// the server's fields (uid, resourceVersion, creationTimestamp, generation, managedFields) are
// shaped as the API server writes them for those writes (copied from a real listing).
import {
  API_GROUP_VERSION,
  CONTROLLER_FIELD_MANAGER,
  SERVICE_USER_KIND,
  ServiceTokenPhase,
  parseServiceToken,
  parseServiceUser,
  type ServiceToken,
  type ServiceUser,
} from "../../src/api/index.ts";
import { TOKEN_FINALIZER } from "../../src/controller/context.ts";
import {
  desiredDeliverySecret,
  desiredTokenStatus,
  phaseVerdict,
} from "../../src/controller/service-token/desired.ts";
import { desiredOwnerReferences } from "../../src/controller/service-token/metadata.ts";
import { desiredUserStatus } from "../../src/controller/service-user/desired.ts";
import { tokenTally, type TokenTally } from "../../src/controller/service-user/token-tally.ts";
import { desiredHashRecord } from "../../src/domain/hash-record.ts";
import { serviceUserUsername } from "../../src/domain/identity.ts";
import { CONTROLLER_CLIENT, TOOL_CLIENT } from "../../src/k8s/client-identity.ts";
import type { KubeObject, ManagedFieldsEntry } from "../../src/k8s/object.ts";
import { READY_CONDITION_FIELDS } from "../webhook/synthetic-cluster.ts";
import { rfc3339 } from "../../src/k8s/time.ts";
import { hashToken, tokenIdFromHash, type TokenHash } from "../../src/tokens/index.ts";
import { tokenValue } from "../webhook/synthetic-cluster.ts";

/** What one benchmark's objects are. */
export interface SettledSet {
  tokens: number;
  perUser: number;
  /** The namespace of every token and delivery Secret (bench:controller:scale's "scale"). */
  namespace: string;
  operatorNamespace: string;
  /** When the first token was created; later ones follow at CREATED_PER_SECOND. */
  startedAt: number;
}

/** The real-API bench creates ~40 tokens a second: timestamps repeat as often as there. */
const CREATED_PER_SECOND = 40;
const pad12 = (n: number): string => String(n).padStart(12, "0");
// uids as long as real ones (36 characters), distinct per kind.
const userUid = (u: number): string => `0a000000-0000-4000-8000-${pad12(u)}`;
const tokenUid = (i: number): string => `0b000000-0000-4000-8000-${pad12(i)}`;
const deliveryUid = (i: number): string => `0c000000-0000-4000-8000-${pad12(i)}`;
const recordUid = (i: number): string => `0d000000-0000-4000-8000-${pad12(i)}`;
// resourceVersions of the size a cluster with a few hundred thousand writes hands out.
const version = (n: number): string => String(1_000_000 + n);

export const userName = (u: number): string => `scale-${u}`;
export const userCountOf = (set: SettledSet): number => Math.ceil(set.tokens / set.perUser);

/** The second token `i` was created in. */
function createdAt(set: SettledSet, i: number): Date {
  const second = Math.floor(set.startedAt / 1000) + Math.floor(i / CREATED_PER_SECOND);
  return new Date(second * 1000);
}

function managed(
  manager: string,
  time: Date,
  fieldsV1: Record<string, unknown>,
  apiVersion: string,
  subresource?: string,
): ManagedFieldsEntry {
  return {
    apiVersion,
    fieldsType: "FieldsV1",
    fieldsV1,
    manager,
    operation: "Update",
    ...(subresource ? { subresource } : {}),
    time: rfc3339(time),
  } as ManagedFieldsEntry;
}

/** The fields a status object sets, as managedFields list them. */
function statusFields(status: object): Record<string, unknown> {
  return {
    "f:status": Object.fromEntries(
      Object.keys(status).map((key) => [
        `f:${key}`,
        key === "conditions" ? READY_CONDITION_FIELDS : {},
      ]),
    ),
  };
}

/** ServiceUser `u` before its status (as created by the bench's admin client). */
function userSpecObject(set: SettledSet, u: number): ServiceUser {
  const created = createdAt(set, u * set.perUser);
  return parseServiceUser({
    apiVersion: API_GROUP_VERSION,
    kind: SERVICE_USER_KIND,
    metadata: {
      name: userName(u),
      uid: userUid(u),
      resourceVersion: version(4 * set.tokens + u),
      generation: 1,
      creationTimestamp: rfc3339(created),
    },
    spec: { role: "Member", active: true },
  });
}

/** The value, hash and token id of token `i` (deterministic: every call agrees). */
function tokenSecret(i: number): { value: string; hash: TokenHash; tokenId: string } {
  const value = tokenValue(i);
  const hash = hashToken(value);
  return { value, hash, tokenId: tokenIdFromHash(hash) };
}

/** ServiceToken `i` as listed: created by the bench's client, status by the controller's. */
export function settledServiceToken(set: SettledSet, i: number): ServiceToken {
  const u = Math.floor(i / set.perUser);
  const user = userSpecObject(set, u);
  const created = createdAt(set, i);
  const name = `t-${i}`;
  const ownerReferences = desiredOwnerReferences([], user);
  const token = parseServiceToken({
    apiVersion: API_GROUP_VERSION,
    kind: "ServiceToken",
    metadata: {
      name,
      namespace: set.namespace,
      uid: tokenUid(i),
      resourceVersion: version(4 * i),
      generation: 1,
      creationTimestamp: rfc3339(created),
      finalizers: [TOKEN_FINALIZER],
      ownerReferences,
    },
    spec: { serviceUser: user.metadata.name, revoked: false },
  });
  const status = desiredTokenStatus({
    token,
    phase: ServiceTokenPhase.Active,
    tokenId: tokenSecret(i).tokenId,
    username: serviceUserUsername(user.metadata.name),
    secretName: `${name}-token`,
    createdAt: created,
    expiresAt: undefined,
    serviceUserUid: user.metadata.uid,
    verdict: phaseVerdict(ServiceTokenPhase.Active),
    now: created,
  });
  const managedFields = [
    managed(CONTROLLER_FIELD_MANAGER, created, statusFields(status), API_GROUP_VERSION, "status"),
    managed(
      TOOL_CLIENT.fieldManager,
      created,
      {
        "f:metadata": {
          "f:finalizers": { ".": {}, [`v:"${TOKEN_FINALIZER}"`]: {} },
          "f:ownerReferences": { ".": {}, [`k:{"uid":"${user.metadata.uid}"}`]: {} },
        },
        "f:spec": { ".": {}, "f:revoked": {}, "f:serviceUser": {} },
      },
      API_GROUP_VERSION,
    ),
  ];
  return { ...token, metadata: { ...token.metadata, managedFields }, status };
}

/** ServiceUser `u` as listed, with the status the controller writes for its settled tokens. */
export function settledServiceUser(set: SettledSet, u: number): KubeObject {
  const user = userSpecObject(set, u);
  const first = u * set.perUser;
  const tallies: TokenTally[] = [];
  for (let i = first; i < Math.min(set.tokens, first + set.perUser); i++) {
    const tally = tokenTally(settledServiceToken(set, i));
    if (tally) tallies.push(tally);
  }
  const settledAt = createdAt(set, set.tokens);
  const status = desiredUserStatus(user, tallies, settledAt);
  const created = createdAt(set, first);
  const managedFields = [
    managed(
      TOOL_CLIENT.fieldManager,
      created,
      { "f:spec": { ".": {}, "f:active": {}, "f:role": {} } },
      API_GROUP_VERSION,
    ),
    managed(CONTROLLER_FIELD_MANAGER, settledAt, statusFields(status), API_GROUP_VERSION, "status"),
  ];
  return { ...user, metadata: { ...user.metadata, managedFields }, status };
}

/** Fields of a Secret's data, labels and annotations, as managedFields list them. */
function secretFields(secret: KubeObject): Record<string, unknown> {
  const keys = (record: object | undefined): Record<string, unknown> => ({
    ".": {},
    ...Object.fromEntries(Object.keys(record ?? {}).map((key) => [`f:${key}`, {}])),
  });
  const metadata = secret.metadata ?? {};
  return {
    "f:data": keys(secret.data as object | undefined),
    "f:metadata": {
      ...(metadata.annotations ? { "f:annotations": keys(metadata.annotations) } : {}),
      "f:labels": keys(metadata.labels),
      ...(metadata.ownerReferences
        ? {
            "f:ownerReferences": {
              ".": {},
              ...Object.fromEntries(
                metadata.ownerReferences.map((ref) => [`k:{"uid":"${ref.uid}"}`, {}]),
              ),
            },
          }
        : {}),
    },
    "f:type": {},
  };
}

/** A Secret the controller created, with the server's fields. */
function listedSecret(secret: KubeObject, uid: string, rv: string, created: Date): KubeObject {
  return {
    ...secret,
    metadata: {
      ...secret.metadata,
      uid,
      resourceVersion: rv,
      creationTimestamp: rfc3339(created),
      managedFields: [managed(CONTROLLER_CLIENT.fieldManager, created, secretFields(secret), "v1")],
    },
  };
}

/** The delivery Secret of token `i` as listed. */
export function settledDeliverySecret(set: SettledSet, i: number): KubeObject {
  const token = settledServiceToken(set, i);
  const { value, tokenId } = tokenSecret(i);
  const secret = desiredDeliverySecret(token, {
    value,
    username: token.status?.username ?? "",
    tokenId,
    expiresAt: undefined,
  });
  return listedSecret(secret, deliveryUid(i), version(4 * i + 2), createdAt(set, i));
}

/** The hash record of token `i` as listed. */
export function settledHashRecord(set: SettledSet, i: number): KubeObject {
  const created = createdAt(set, i);
  const record = desiredHashRecord({
    operatorNamespace: set.operatorNamespace,
    token: { namespace: set.namespace, name: `t-${i}`, uid: tokenUid(i) },
    serviceUserUid: userUid(Math.floor(i / set.perUser)),
    hash: tokenSecret(i).hash,
    createdAt: created,
    expiresAt: undefined,
  });
  return listedSecret(record, recordUid(i), version(4 * i + 1), created);
}
