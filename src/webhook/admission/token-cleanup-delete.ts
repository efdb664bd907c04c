// Deletes of ServiceTokens by kube-controller-manager's clean-up identities. The namespace
// controller may delete any token, so deleting a namespace never hangs. The garbage collector
// deletes a token when an owner of it is gone: fine for a Revoked or Expired token, but an
// Active one only goes with its ServiceUser — an owner reference alone (which someone may have
// pointed at a dangling owner) never makes an Active token deletable.
import {
  API_GROUP,
  parseServiceToken,
  SERVICE_USER_KIND,
  ServiceTokenPhase,
  type ServiceToken,
  type ServiceUser,
} from "../../api/index.ts";
import type { ClusterFacts } from "../cache/facts.ts";
import {
  ALLOW,
  currentTokenPhase,
  deny,
  GARBAGE_COLLECTOR_USERNAME,
  parseOrMessage,
  tokenRef,
  type AdmissionFacts,
} from "./common.ts";
import { ownerReferencesOf } from "./metadata-changes.ts";
import type { AdmissionRequest, AdmissionVerdict } from "./review.ts";

/** The uid the token's owner reference to its ServiceUser names, if it has one. */
function ownerServiceUserUid(token: ServiceToken): string | undefined {
  for (const ref of ownerReferencesOf(token)) {
    const owner = ref as { apiVersion?: unknown; kind?: unknown; uid?: unknown };
    const group = typeof owner.apiVersion === "string" ? owner.apiVersion.split("/")[0] : "";
    if (group === API_GROUP && owner.kind === SERVICE_USER_KIND && typeof owner.uid === "string") {
      return owner.uid;
    }
  }
  return undefined;
}

/**
 * Whether the token's ServiceUser is really gone: it does not exist, it is being deleted, or
 * the user of that name is another one (deleted and recreated: its uid differs from the
 * token's owner reference).
 */
export function serviceUserGone(token: ServiceToken, user: ServiceUser | undefined): boolean {
  if (user === undefined || user.metadata.deletionTimestamp !== undefined) return true;
  const owner = ownerServiceUserUid(token);
  return owner !== undefined && owner !== user.metadata.uid;
}

/** The token a garbage-collector DELETE would remove, when it is Active (else undefined). */
function activeTokenDeletedByCollector(
  request: AdmissionRequest,
  now: Date,
): ServiceToken | undefined {
  if (request.operation !== "DELETE" || request.userInfo.username !== GARBAGE_COLLECTOR_USERNAME) {
    return undefined;
  }
  const old = parseOrMessage(parseServiceToken, request.oldObject);
  // Unparseable, or already being deleted: nothing left to protect.
  if (!old.ok || old.value.metadata.deletionTimestamp !== undefined) return undefined;
  return currentTokenPhase(old.value, now) === ServiceTokenPhase.Active ? old.value : undefined;
}

/**
 * Decides a DELETE by a clean-up identity (the namespace controller, the garbage collector,
 * kube-controller-manager). kube-controller-manager without per-controller credentials may be
 * the namespace controller, so it is let through like it.
 */
export function decideCleanupDelete(
  request: AdmissionRequest,
  facts: AdmissionFacts,
): AdmissionVerdict {
  const token = activeTokenDeletedByCollector(request, facts.now);
  if (token === undefined) return ALLOW;
  const userName = token.spec.serviceUser;
  if (serviceUserGone(token, facts.cluster.serviceUser(userName))) return ALLOW;
  return deny(
    `The garbage collector may not delete ServiceToken ${tokenRef(token)}: it is Active and ` +
      `its ServiceUser "${userName}" still exists. Revoke the token (spec.revoked: true) ` +
      `before deleting it, or deactivate and delete the ServiceUser to delete its tokens`,
  );
}

/**
 * The ServiceUser whose cached state must be confirmed with the API before deciding a
 * garbage-collector DELETE: the cache may lag a deletion (or a creation). Nothing to confirm
 * when the token is not Active, or when the cache already shows the user gone for good (being
 * deleted, or another uid): that never turns back.
 */
export function serviceUserToConfirm(
  request: AdmissionRequest,
  cluster: ClusterFacts,
  now: Date,
): string | undefined {
  const token = activeTokenDeletedByCollector(request, now);
  if (token === undefined) return undefined;
  const cached = cluster.serviceUser(token.spec.serviceUser);
  if (cached !== undefined && serviceUserGone(token, cached)) return undefined;
  return token.spec.serviceUser;
}
