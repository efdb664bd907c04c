// The hash record: a Secret in the operator's namespace that holds one token's hash and what the
// webhook needs to authenticate it without reading anything outside its own namespace.
import {
  API_GROUP,
  HASH_RECORD_SECRET_TYPE,
  LABEL_TOKEN_ID,
  LABEL_TOKEN_NAME,
  LABEL_TOKEN_NAMESPACE,
  LABEL_SERVICE_USER_UID,
  LABEL_TOKEN_UID,
  MANAGED_BY_LABEL_KEY,
  MANAGED_BY_LABEL_VALUE,
} from "../api/index.ts";
import type { KubeObject } from "../k8s/object.ts";
import { isTokenHash, tokenIdFromHash, type TokenHash } from "../tokens/index.ts";
import { writtenByController } from "./secret-trust.ts";

/** Data key holding `sha256:<hex>`. */
export const HASH_RECORD_HASH_KEY = "tokenHash";
/**
 * When the token value was generated (RFC 3339). Informational: expiry is computed from the
 * token's status, never read back from a record (docs/decisions.md, record 26).
 */
export const ANNOTATION_CREATED_AT = `${API_GROUP}/created-at`;
/** When the token expires (RFC 3339); absent: never. Informational, like created-at. */
export const ANNOTATION_EXPIRES_AT = `${API_GROUP}/expires-at`;

/** What a hash record says, parsed. */
export interface HashRecord {
  name: string;
  hash: TokenHash;
  tokenId: string;
  tokenNamespace: string;
  tokenName: string;
  tokenUid: string;
  /** The ServiceUser's uid pinned at generation (absent on records of older versions). */
  serviceUserUid: string | undefined;
  createdAt: Date;
  expiresAt: Date | undefined;
}

/** The hash record's name: one per ServiceToken, stable across regenerations. */
export function hashRecordName(tokenUid: string): string {
  return `token-${tokenUid}`;
}

/**
 * The name of the record that keeps a rotated-out value valid during the overlap: at most two
 * records per token, so at most two values (docs/decisions.md, record 51).
 */
export function previousHashRecordName(tokenUid: string): string {
  return `token-${tokenUid}-previous`;
}

/** The desired hash-record Secret for a token (`slot` previous: the rotated-out value). */
export function desiredHashRecord(input: {
  operatorNamespace: string;
  token: { namespace: string; name: string; uid: string };
  serviceUserUid: string;
  hash: TokenHash;
  createdAt: Date;
  expiresAt: Date | undefined;
  slot?: "current" | "previous";
}): KubeObject {
  const { token, hash } = input;
  const name =
    input.slot === "previous" ? previousHashRecordName(token.uid) : hashRecordName(token.uid);
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name,
      namespace: input.operatorNamespace,
      labels: {
        [MANAGED_BY_LABEL_KEY]: MANAGED_BY_LABEL_VALUE,
        [LABEL_TOKEN_NAMESPACE]: token.namespace,
        [LABEL_TOKEN_NAME]: token.name,
        [LABEL_TOKEN_UID]: token.uid,
        [LABEL_TOKEN_ID]: tokenIdFromHash(hash),
        [LABEL_SERVICE_USER_UID]: input.serviceUserUid,
      },
      annotations: {
        [ANNOTATION_CREATED_AT]: input.createdAt.toISOString(),
        ...(input.expiresAt ? { [ANNOTATION_EXPIRES_AT]: input.expiresAt.toISOString() } : {}),
      },
    },
    type: HASH_RECORD_SECRET_TYPE,
    data: { [HASH_RECORD_HASH_KEY]: Buffer.from(hash).toString("base64") },
  };
}

const validDate = (text: string | undefined): Date | undefined => {
  if (text === undefined) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
};

/** Reads a hash-record Secret; undefined when it is not a complete, well-formed record. */
export function readHashRecord(secret: KubeObject): HashRecord | undefined {
  if (secret.type !== HASH_RECORD_SECRET_TYPE) return undefined;
  const meta = secret.metadata ?? {};
  const labels = meta.labels ?? {};
  // Whatever the cache was fed: a non-string here is not a record, never an exception.
  const encoded: unknown = (secret.data as Record<string, unknown> | undefined)?.[
    HASH_RECORD_HASH_KEY
  ];
  const hash = typeof encoded === "string" ? Buffer.from(encoded, "base64").toString() : "";
  const createdAt = validDate(meta.annotations?.[ANNOTATION_CREATED_AT]);
  const expiresText = meta.annotations?.[ANNOTATION_EXPIRES_AT];
  const expiresAt = validDate(expiresText);
  const tokenNamespace = labels[LABEL_TOKEN_NAMESPACE];
  const tokenName = labels[LABEL_TOKEN_NAME];
  const tokenUid = labels[LABEL_TOKEN_UID];
  if (!isTokenHash(hash) || !createdAt || !meta.name) return undefined;
  if (!tokenNamespace || !tokenName || !tokenUid) return undefined;
  if (expiresText !== undefined && !expiresAt) return undefined;
  return {
    name: meta.name,
    hash,
    tokenId: tokenIdFromHash(hash),
    tokenNamespace,
    tokenName,
    tokenUid,
    serviceUserUid: labels[LABEL_SERVICE_USER_UID],
    createdAt,
    expiresAt,
  };
}

/**
 * Reads a hash record only if it can be trusted: named exactly `token-<uid>` (or
 * `token-<uid>-previous`) of the token it points at, labelled managed-by svctokens, and written by the controller. Anything else is
 * ignored before a hash lookup, so a planted copy can neither authenticate nor make the real
 * record ambiguous.
 */
export function readTrustedHashRecord(secret: KubeObject): HashRecord | undefined {
  const record = readHashRecord(secret);
  if (record === undefined) return undefined;
  const { name, tokenUid } = record;
  if (name !== hashRecordName(tokenUid) && name !== previousHashRecordName(tokenUid))
    return undefined;
  return writtenByController(secret) ? record : undefined;
}
