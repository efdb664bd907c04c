// What the controller's caches keep of each object: everything the reconcilers read, without
// the bulk they never read — managedFields (except, on Secrets, which managers set `data`, the
// trust check of src/domain/secret-trust.ts), kubectl's last-applied-configuration copy, and a
// Secret's uid and creation time.
import type { KubeObject, ManagedFieldsEntry } from "../k8s/object.ts";

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
    .filter((entry) => hasData(entry.fieldsV1))
    .map((entry) => ({ manager: entry.manager, fieldsV1: { "f:data": {} } }));
  return { ...secret, metadata: { ...metadata, managedFields: dataOwners } };
}

function hasData(fields: unknown): boolean {
  return typeof fields === "object" && fields !== null && "f:data" in fields;
}
