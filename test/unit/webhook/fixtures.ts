// Builders for webhook tests: ServiceUsers, ServiceTokens with generated values and hash
// records, and in-memory facts fed the way the informers feed them.
import { pino, type Logger } from "pino";
import { CONTROLLER_FIELD_MANAGER, LABEL_TOKEN_UID } from "../../../src/api/index.ts";
import { desiredHashRecord, readHashRecord } from "../../../src/domain/hash-record.ts";
import type { KubeObject } from "../../../src/k8s/object.ts";
import { generateToken, hashToken } from "../../../src/tokens/index.ts";
import { CachedFacts } from "../../../src/webhook/cache/cached-facts.ts";
import {
  trimHashRecord,
  trimServiceToken,
  trimServiceUser,
} from "../../../src/webhook/cache/trim.ts";

export const OPERATOR_NAMESPACE = "svctokens-system";
export const NOW = new Date("2025-06-01T12:00:00Z");
export const DAY_MS = 24 * 60 * 60 * 1000;

export const silentLog: Logger = pino({ level: "silent" });

export interface UserOptions {
  role?: "Admin" | "Manager" | "Member";
  teams?: string[];
  active?: boolean;
  uid?: string;
  deleting?: boolean;
}

export function serviceUser(name: string, options: UserOptions = {}): KubeObject {
  return {
    apiVersion: "svctokens.dev/v1alpha1",
    kind: "ServiceUser",
    metadata: {
      name,
      uid: options.uid ?? `uid-user-${name}`,
      ...(options.deleting ? { deletionTimestamp: "2025-06-01T11:00:00Z" } : {}),
    },
    spec: {
      role: options.role ?? "Member",
      ...(options.teams ? { teams: options.teams } : {}),
      active: options.active ?? true,
    },
  };
}

export interface TokenOptions {
  namespace?: string;
  user?: string;
  revoked?: boolean;
  audiences?: string[];
  expiresInDays?: number;
  tokenHash?: string;
  uid?: string;
  deleting?: boolean;
  rotation?: { everyDays?: number; overlapMinutes?: number };
  /** Status as the controller reports it. */
  status?: Record<string, unknown>;
}

export function serviceToken(name: string, options: TokenOptions = {}): KubeObject {
  const namespace = options.namespace ?? "prod";
  return {
    apiVersion: "svctokens.dev/v1alpha1",
    kind: "ServiceToken",
    metadata: {
      name,
      namespace,
      uid: options.uid ?? `uid-token-${namespace}-${name}`,
      ...(options.deleting ? { deletionTimestamp: "2025-06-01T11:00:00Z" } : {}),
    },
    spec: {
      serviceUser: options.user ?? "ci-bot",
      revoked: options.revoked ?? false,
      ...(options.audiences ? { audiences: options.audiences } : {}),
      ...(options.expiresInDays === undefined ? {} : { expiresInDays: options.expiresInDays }),
      ...(options.tokenHash ? { tokenHash: options.tokenHash } : {}),
      ...(options.rotation ? { rotation: options.rotation } : {}),
    },
    ...(options.status ? { status: options.status } : {}),
  };
}

/** A token value with its hash record, as the controller would have written it. */
export interface IssuedToken {
  value: string;
  record: KubeObject;
  tokenId: string;
}

export function issue(
  token: KubeObject,
  options: { createdAt?: Date; expiresAt?: Date; value?: string } = {},
): IssuedToken {
  const value = options.value ?? generateToken();
  const hash = hashToken(value);
  const serviceUser = (token.spec as { serviceUser?: string } | undefined)?.serviceUser ?? "";
  const record = writtenByTheController(
    desiredHashRecord({
      operatorNamespace: OPERATOR_NAMESPACE,
      token: {
        namespace: token.metadata?.namespace ?? "",
        name: token.metadata?.name ?? "",
        uid: token.metadata?.uid ?? "",
      },
      serviceUserUid: `uid-user-${serviceUser}`,
      hash,
      createdAt: options.createdAt ?? new Date(NOW.getTime() - DAY_MS),
      expiresAt: options.expiresAt,
    }),
  );
  return { value, record, tokenId: hash.slice("sha256:".length, "sha256:".length + 16) };
}

/** A Secret as the API server reports it after the controller's field manager wrote it. */
export function writtenByTheController(
  secret: KubeObject,
  manager = CONTROLLER_FIELD_MANAGER,
): KubeObject {
  const managedFields = [{ manager, operation: "Apply", fieldsV1: { "f:data": {}, "f:type": {} } }];
  return { ...secret, metadata: { ...secret.metadata, managedFields } };
}

/**
 * The token with the status the controller pins before writing a value (tokenId, createdAt,
 * expiresAt, serviceUserUid), taken from `record`; fields already in its status are kept.
 */
export function pinnedTo(token: KubeObject, record: KubeObject): KubeObject {
  const parsed = readHashRecord(record);
  if (!parsed) return token;
  const status = (token.status ?? {}) as Record<string, unknown>;
  const pin = {
    tokenId: parsed.tokenId,
    createdAt: parsed.createdAt.toISOString(),
    ...(parsed.expiresAt ? { expiresAt: parsed.expiresAt.toISOString() } : {}),
    ...(parsed.serviceUserUid ? { serviceUserUid: parsed.serviceUserUid } : {}),
  };
  return { ...token, status: { ...pin, ...status } };
}

/**
 * CachedFacts holding exactly these objects. Tokens without a status.tokenId are pinned to the
 * (first) record pointing at their uid, as the controller would have done before writing it.
 */
export function factsOf(objects: {
  users?: KubeObject[];
  tokens?: KubeObject[];
  records?: KubeObject[];
  /** Pin unpinned tokens to their records (default true); false: exactly as given. */
  pin?: boolean;
}): CachedFacts {
  const facts = new CachedFacts(silentLog);
  const records = objects.records ?? [];
  // Trimmed as the webhook's informers trim them: every decision test runs on what they keep.
  for (const user of objects.users ?? []) {
    facts.applyServiceUser({ type: "upsert", object: trimServiceUser(user) });
  }
  for (const token of objects.tokens ?? []) {
    const own = records.find((r) => r.metadata?.labels?.[LABEL_TOKEN_UID] === token.metadata?.uid);
    const object =
      own &&
      objects.pin !== false &&
      (token.status as { tokenId?: string } | undefined)?.tokenId === undefined
        ? pinnedTo(token, own)
        : token;
    facts.applyServiceToken({ type: "upsert", object: trimServiceToken(object) });
  }
  for (const record of records) {
    facts.applyHashRecord({ type: "upsert", object: trimHashRecord(record) });
  }
  return facts;
}
