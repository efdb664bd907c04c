// What ties a ServiceToken to the controller and to its ServiceUser: the controller's finalizer
// and the owner reference to the ServiceUser. One home, because two writers set them: the
// controller (a metadata patch when missing) and the mutating admission webhook at create
// (docs/decisions.md, record 64), and the controller compares what it finds with these.
import { API_GROUP_VERSION, SERVICE_USER_KIND, type ServiceUser } from "../api/index.ts";
import type { OwnerReference } from "../k8s/object.ts";

/** Finalizer on ServiceTokens: removes the hash record, which owner references cannot reach. */
export const TOKEN_FINALIZER = "svctokens.dev/hash-record";

/**
 * The owner reference to a token's ServiceUser: no `controller` or `blockOwnerDeletion` flag
 * (the user is not its controller; deleting it must not wait on its tokens). Key order is
 * kube-apiserver's, so a stored reference compares equal as JSON.
 */
export function serviceUserOwnerReference(user: ServiceUser): OwnerReference {
  return {
    apiVersion: API_GROUP_VERSION,
    kind: SERVICE_USER_KIND,
    name: user.metadata.name,
    uid: user.metadata.uid ?? "",
  };
}

/** Whether `ref` is a reference to some ServiceUser (ours, whatever its uid). */
export function isServiceUserReference(ref: { apiVersion?: unknown; kind?: unknown }): boolean {
  return ref.kind === SERVICE_USER_KIND && ref.apiVersion === API_GROUP_VERSION;
}
