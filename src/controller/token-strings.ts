// One copy of a token's own strings across its three cached objects. A delivery Secret repeats
// its token's uid (owner reference), name (owner reference, label) and status.secretName (its
// own name); a hash record its uid, name and token id (labels). Each arrives freshly parsed, so
// at 100k tokens these are ~600k strings (~240 B a token) equal to ones the token already holds.
// The Secrets' cache transform swaps them for the token's instances: values never change (only
// strings equal to the token's are swapped), so nothing that reads the caches can tell.
import {
  LABEL_TOKEN_ID,
  LABEL_TOKEN_NAME,
  LABEL_TOKEN_NAMESPACE,
  LABEL_TOKEN_UID,
  SERVICE_TOKEN_KIND,
} from "../api/index.ts";
import type { KubeObject } from "../k8s/object.ts";

/** Finds a cached token by `namespace/name`. */
export type TokenLookup = (key: string) => KubeObject | undefined;

/** The token's own instance of `value` where it is equal to one of `candidates`. */
function theTokens(value: string | undefined, candidates: readonly unknown[]): string | undefined {
  if (value === undefined) return value;
  for (const candidate of candidates) if (candidate === value) return candidate;
  return value;
}

/** The token's identity strings, as the token holds them. */
function tokenStrings(token: KubeObject): unknown[] {
  const status = token.status as { tokenId?: unknown; secretName?: unknown } | undefined;
  return [token.metadata?.name, token.metadata?.uid, status?.tokenId, status?.secretName];
}

/**
 * A delivery Secret (just parsed and trimmed, owned by the caller) whose owner reference,
 * token-name label and name use the strings of its token when they are equal. In place.
 */
export function shareDeliveryStrings(secret: KubeObject, tokens: TokenLookup): KubeObject {
  const metadata = secret.metadata;
  const owner = metadata?.ownerReferences?.find((ref) => ref.kind === SERVICE_TOKEN_KIND);
  if (!metadata?.namespace || !owner || Object.isFrozen(owner)) return secret;
  const token = tokens(`${metadata.namespace}/${owner.name}`);
  if (!token) return secret;
  const strings = tokenStrings(token);
  owner.name = theTokens(owner.name, strings) ?? owner.name;
  owner.uid = theTokens(owner.uid, strings) ?? owner.uid;
  metadata.name = theTokens(metadata.name, strings);
  const labels = metadata.labels;
  if (labels && !Object.isFrozen(labels) && labels[LABEL_TOKEN_NAME] !== undefined) {
    labels[LABEL_TOKEN_NAME] = theTokens(labels[LABEL_TOKEN_NAME], strings) ?? "";
  }
  return secret;
}

/**
 * A hash record (just parsed and trimmed, owned by the caller) whose token-name, token-uid and
 * token-id labels use the strings of the token they name when they are equal. In place.
 */
export function shareRecordStrings(record: KubeObject, tokens: TokenLookup): KubeObject {
  const labels = record.metadata?.labels;
  const namespace = labels?.[LABEL_TOKEN_NAMESPACE];
  const name = labels?.[LABEL_TOKEN_NAME];
  if (!labels || Object.isFrozen(labels) || namespace === undefined || name === undefined) {
    return record;
  }
  const token = tokens(`${namespace}/${name}`);
  if (!token) return record;
  const strings = tokenStrings(token);
  for (const label of [LABEL_TOKEN_NAME, LABEL_TOKEN_UID, LABEL_TOKEN_ID]) {
    const value = labels[label];
    if (value !== undefined) labels[label] = theTokens(value, strings) ?? value;
  }
  return record;
}
