// What the controller's caches keep of each object: everything the reconcilers read, without
// the bulk they never read — managedFields (except, on Secrets, which managers set `data`, the
// trust check of src/domain/secret-trust.ts; on ServiceTokens, whether the controller set
// spec.revoked, lifecycle/token-facts.ts), kubectl's last-applied-configuration copy, and a
// Secret's uid and creation time.
import { CONTROLLER_FIELD_MANAGER } from "../api/index.ts";
import type { KubeObject, ManagedFieldsEntry } from "../k8s/object.ts";
import { controllerManagesRevoked } from "./lifecycle/token-facts.ts";

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

/** The object without managedFields and kubectl's last-applied copy. */
export function trimForCache(object: KubeObject): KubeObject {
  const { managedFields: _dropped, ...metadata } = object.metadata ?? {};
  const annotations = metadata.annotations;
  if (annotations !== undefined && LAST_APPLIED in annotations) {
    const { [LAST_APPLIED]: _copy, ...rest } = annotations;
    metadata.annotations = rest;
  }
  return { ...object, metadata };
}

/**
 * A ServiceToken as trimForCache, keeping of managedFields the controller's entry for
 * spec.revoked, if any: the unused-token policy's revocation is recognised by it
 * (`revokedByController`), also after a restart between the policy's two writes.
 */
export function trimTokenForCache(token: KubeObject): KubeObject {
  const trimmed = trimForCache(token);
  if (!controllerManagesRevoked(token.metadata?.managedFields)) return trimmed;
  const managedFields = [
    { manager: CONTROLLER_FIELD_MANAGER, fieldsV1: { "f:spec": { "f:revoked": {} } } },
  ];
  return { ...trimmed, metadata: { ...trimmed.metadata, managedFields } };
}

/**
 * A Secret as trimForCache, keeping of managedFields only who set `data`, and without its uid
 * and creationTimestamp: nothing reads them from a cached Secret (deletes by uid use the object a
 * write returned), and at 100k tokens they are two strings on each of 200k Secrets.
 */
export function trimSecretForCache(secret: KubeObject): KubeObject {
  const {
    uid: _uid,
    creationTimestamp: _created,
    ...metadata
  } = trimForCache(secret).metadata ?? {};
  const entries: unknown = secret.metadata?.managedFields;
  if (!Array.isArray(entries)) return { ...secret, metadata };
  const dataOwners = (entries as ManagedFieldsEntry[])
    .filter((entry) => hasField(entry.fieldsV1, "f:data"))
    .map((entry) => ({ manager: entry.manager, fieldsV1: { "f:data": {} } }));
  return { ...secret, metadata: { ...metadata, managedFields: dataOwners } };
}

function hasField(fields: unknown, field: string): boolean {
  return typeof fields === "object" && fields !== null && field in fields;
}
