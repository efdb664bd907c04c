// Whether the controller wrote a Secret. A Secret at a name the controller expected is its own
// only if it carries the managed-by label AND its data was written by the controller's field
// manager alone (metadata.managedFields). Field managers are chosen by clients, so this is a
// hint that admission makes binding: it refuses labelled operator Secrets from anyone but the
// controller. What cannot be forged at all — the token's status, which only the controller
// writes — pins the value on top (see docs/decisions.md, records 25 and 27).
import {
  CONTROLLER_FIELD_MANAGER,
  MANAGED_BY_LABEL_KEY,
  MANAGED_BY_LABEL_VALUE,
} from "../api/index.ts";
import type { KubeObject, ManagedFieldsEntry } from "../k8s/object.ts";

function managedFieldsOf(secret: KubeObject): ManagedFieldsEntry[] {
  const entries: unknown = secret.metadata?.managedFields;
  return Array.isArray(entries) ? (entries as ManagedFieldsEntry[]) : [];
}

const isObject = (value: unknown): value is object => typeof value === "object" && value !== null;

/** True when the Secret carries the label every Secret of the controller carries. */
export function hasManagedByLabel(secret: KubeObject): boolean {
  return secret.metadata?.labels?.[MANAGED_BY_LABEL_KEY] === MANAGED_BY_LABEL_VALUE;
}

/**
 * True when the Secret is labelled as ours and the controller's field manager is the only one
 * that has ever set its data (a planted or hand-edited value shows another manager).
 */
export function writtenByController(secret: KubeObject): boolean {
  if (!hasManagedByLabel(secret)) return false;
  const dataOwners = managedFieldsOf(secret)
    .filter((entry) => isObject(entry.fieldsV1) && "f:data" in entry.fieldsV1)
    .map((entry) => entry.manager);
  return dataOwners.length > 0 && dataOwners.every((owner) => owner === CONTROLLER_FIELD_MANAGER);
}
