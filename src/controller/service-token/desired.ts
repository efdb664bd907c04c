// Pure functions: what a ServiceToken's delivery Secret and status should be.
import {
  API_GROUP_VERSION,
  DELIVERY_SECRET_TYPE,
  DeliverySecretKey,
  LABEL_TOKEN_NAME,
  MANAGED_BY_LABEL_KEY,
  MANAGED_BY_LABEL_VALUE,
  ReadyReason,
  SERVICE_TOKEN_KIND,
  ServiceTokenPhase,
  type ServiceToken,
  type ServiceTokenStatus,
} from "../../api/index.ts";
import { readTrustedHashRecord, type HashRecord } from "../../domain/hash-record.ts";
import { isServiceUserReference } from "../../domain/token-ownership.ts";
import { writtenByController } from "../../domain/secret-trust.ts";
import type { RecordAtName } from "./value-plan.ts";
import type { KubeObject, OwnerReference } from "../../k8s/object.ts";
import { rfc3339 } from "../../k8s/time.ts";
import { expiresInDisplay } from "../../domain/token-lifecycle.ts";
import { statusConditions, type ReadyVerdict } from "../conditions.ts";

/** Label on every Secret the controller writes; the admission webhook selects on it. */
export const MANAGED_BY_LABEL = { [MANAGED_BY_LABEL_KEY]: MANAGED_BY_LABEL_VALUE } as const;

/** The delivery Secret's name: `spec.secretName`, else `<metadata.name>-token`. */
export function deliverySecretName(token: ServiceToken): string {
  return token.spec.secretName ?? `${token.metadata.name}-token`;
}

/** Owner reference making a Secret belong to (and be garbage-collected with) the token. */
export function tokenOwnerReference(token: ServiceToken): OwnerReference {
  return {
    apiVersion: API_GROUP_VERSION,
    kind: SERVICE_TOKEN_KIND,
    name: token.metadata.name,
    uid: token.metadata.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** What the delivery Secret carries besides the value. */
export interface DeliveryFacts {
  value: string;
  username: string;
  tokenId: string;
  expiresAt: Date | undefined;
}

/** The delivery Secret's data, base64-encoded as the API stores it. */
export function deliverySecretData(facts: DeliveryFacts): Record<string, string> {
  const plain: Record<string, string> = {
    [DeliverySecretKey.token]: facts.value,
    [DeliverySecretKey.username]: facts.username,
    [DeliverySecretKey.tokenId]: facts.tokenId,
  };
  if (facts.expiresAt) plain[DeliverySecretKey.expiresAt] = rfc3339(facts.expiresAt);
  return Object.fromEntries(
    Object.entries(plain).map(([key, text]) => [key, Buffer.from(text).toString("base64")]),
  );
}

/** The whole delivery Secret for a token. */
export function desiredDeliverySecret(token: ServiceToken, facts: DeliveryFacts): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: deliverySecretName(token),
      namespace: token.metadata.namespace,
      labels: { ...MANAGED_BY_LABEL, [LABEL_TOKEN_NAME]: token.metadata.name },
      ownerReferences: [tokenOwnerReference(token)],
    },
    type: DELIVERY_SECRET_TYPE,
    data: deliverySecretData(facts),
  };
}

/** How an existing Secret at the delivery name relates to the token. */
export type DeliverySecretState =
  | { kind: "missing" }
  | { kind: "foreign" }
  | {
      kind: "ours";
      value: string | undefined;
      data: Record<string, string>;
      resourceVersion: string | undefined;
    };

/**
 * Classifies the Secret found at the delivery name (undefined: none). Ours only when all of:
 * our type, our managed-by label, the token as its controlling owner, and data written by the
 * controller's field manager alone. Anything else is foreign: never adopted or overwritten.
 * (Whether its value is used is decided by the pin in the token's status: value-plan.ts.)
 */
export function deliverySecretState(
  secret: KubeObject | undefined,
  tokenUid: string,
): DeliverySecretState {
  if (!secret) return { kind: "missing" };
  const owned = (secret.metadata?.ownerReferences ?? []).some(
    (ref) => ref.uid === tokenUid && ref.controller === true,
  );
  if (!owned || secret.type !== DELIVERY_SECRET_TYPE || !writtenByController(secret))
    return { kind: "foreign" };
  const data = (secret.data ?? {}) as Record<string, string>;
  const encoded = data[DeliverySecretKey.token];
  return {
    kind: "ours",
    value: encoded === undefined ? undefined : Buffer.from(encoded, "base64").toString(),
    data,
    resourceVersion: secret.metadata?.resourceVersion,
  };
}

export type RecordState = RecordAtName & { record?: HashRecord; secret?: KubeObject };

/** Classifies the Secret at the record name: ours only if trusted and pointing at this token. */
export function recordState(secret: KubeObject | undefined, tokenUid: string): RecordState {
  if (!secret) return { kind: "missing" };
  const record = readTrustedHashRecord(secret);
  if (!record || record.tokenUid !== tokenUid) return { kind: "foreign" };
  return { kind: "ours", hash: record.hash, record, secret };
}

/** The ServiceUser uid a token of an older version was made for: its owner reference. */
export function ownerUserUid(token: ServiceToken): string | undefined {
  const owners = (token.metadata.ownerReferences ?? []) as OwnerReference[];
  return owners.find((ref) => isServiceUserReference(ref))?.uid;
}

/** Inputs of a token's status. */
export interface TokenStatusFacts {
  token: ServiceToken;
  phase: ServiceTokenPhase | undefined;
  tokenId: string | undefined;
  username: string;
  secretName: string | undefined;
  createdAt: Date | undefined;
  expiresAt: Date | undefined;
  /** metadata.uid of the ServiceUser the value was generated for. */
  serviceUserUid?: string | undefined;
  verdict: ReadyVerdict;
  now: Date;
}

/** The verdict for a generated token in a phase: each phase is a settled state (Ready=True). */
export function phaseVerdict(phase: ServiceTokenPhase): ReadyVerdict {
  switch (phase) {
    case ServiceTokenPhase.Active:
      return { ready: true, reason: ReadyReason.Active, message: "The token is active." };
    case ServiceTokenPhase.Revoked:
      return {
        ready: true,
        reason: ReadyReason.Revoked,
        message: "The token is revoked; set spec.revoked to false to restore it.",
      };
    case ServiceTokenPhase.Expired:
      return {
        ready: true,
        reason: ReadyReason.Expired,
        message: "The token has expired and cannot be restored; create a new ServiceToken.",
      };
  }
}

/**
 * The status fields the controller owns (everything but lastUsedAt, which the webhook writes).
 * `revokedAt` is kept from the first time the revocation was seen, and cleared on restore.
 */
export function desiredTokenStatus(facts: TokenStatusFacts): ServiceTokenStatus {
  const { token, phase, now } = facts;
  const previous = token.status ?? {};
  const revoked = token.spec.revoked && phase !== undefined;
  return {
    ...(phase ? { phase } : {}),
    ...(facts.tokenId ? { tokenId: facts.tokenId } : {}),
    username: facts.username,
    ...(facts.secretName ? { secretName: facts.secretName } : {}),
    ...(facts.createdAt ? { createdAt: rfc3339(facts.createdAt) } : {}),
    // Moved by rotations (rotation.ts); the first value's is the token's generation.
    ...(facts.createdAt
      ? { currentValueCreatedAt: previous.currentValueCreatedAt ?? rfc3339(facts.createdAt) }
      : {}),
    ...(facts.expiresAt ? { expiresAt: rfc3339(facts.expiresAt) } : {}),
    ...(facts.serviceUserUid ? { serviceUserUid: facts.serviceUserUid } : {}),
    ...(phase ? { expiresIn: expiresInDisplay(facts.expiresAt, now).text } : {}),
    // For `kubectl get -o wide`: a printer column shows a list as JSON.
    audiencesDisplay: token.spec.audiences?.join(",") ?? "any",
    ...(revoked ? { revokedAt: previous.revokedAt ?? rfc3339(now) } : {}),
    conditions: statusConditions(
      previous.conditions,
      facts.verdict,
      token.metadata.generation,
      now,
    ),
    ...(token.metadata.generation === undefined
      ? {}
      : { observedGeneration: token.metadata.generation }),
  };
}

/** The Ready verdict when the ServiceUser was replaced since the token was generated. */
export function replacedUser(token: ServiceToken): ReadyVerdict {
  return {
    ready: false,
    reason: ReadyReason.ServiceUserReplaced,
    message:
      `ServiceUser ${token.spec.serviceUser} was deleted and recreated since this token was ` +
      "generated: the token does not authenticate as the new ServiceUser. Create a new " +
      "ServiceToken for it.",
  };
}

/** The Ready verdict when one of the token's Secret names is taken by a foreign Secret. */
export function secretConflict(
  namespace: string | undefined,
  name: string,
  what: string,
): ReadyVerdict {
  return {
    ready: false,
    reason: ReadyReason.SecretConflict,
    message:
      `Secret ${namespace ?? ""}/${name} (${what}) exists but was not written by the svctokens ` +
      "controller, so it is neither used nor overwritten: delete it (after checking who put " +
      "it there), or create a new ServiceToken with another spec.secretName.",
  };
}

/** The verdict when the token's ServiceUser does not exist (yet): it waits (Reconciling). */
export function missingUser(token: ServiceToken): ReadyVerdict {
  return {
    ready: false,
    reason: ReadyReason.ServiceUserNotFound,
    message: `ServiceUser ${token.spec.serviceUser} does not exist yet: the token is generated once it is created.`,
  };
}
