// What the controller may do to ServiceTokens on its own, for the operator's lifecycle
// policies (docs/decisions.md 55 and 56), and nothing more: revoke an Active token (spec.revoked
// false → true, no other spec change) and delete an Expired token that is not revoked. It is
// not an Admin: every other spec change or delete by it is refused like anyone's.
import { isDeepStrictEqual } from "node:util";
import { parseServiceToken, ServiceTokenPhase, type ServiceToken } from "../../api/index.ts";
import { ALLOW, currentTokenPhase, deny, parseOrMessage, type AdmissionFacts } from "./common.ts";
import type { AdmissionRequest, AdmissionVerdict } from "./review.ts";

/** The controller's policy requests: a spec change or a delete of a ServiceToken by it. */
function policyRequest(
  request: AdmissionRequest,
  controllerUsername: string | undefined,
): "revoke" | "delete" | undefined {
  const username = request.userInfo.username;
  if (username === undefined || username !== controllerUsername || request.subResource) {
    return undefined;
  }
  if (request.operation === "DELETE") return "delete";
  if (request.operation !== "UPDATE") return undefined;
  const old = parseOrMessage(parseServiceToken, request.oldObject);
  const object = parseOrMessage(parseServiceToken, request.object);
  if (!old.ok || !object.ok) return undefined;
  return isRevocationOnly(old.value, object.value) ? "revoke" : undefined;
}

/** spec.revoked false → true and nothing else in spec. */
function isRevocationOnly(old: ServiceToken, object: ServiceToken): boolean {
  return (
    !old.spec.revoked &&
    object.spec.revoked &&
    isDeepStrictEqual({ ...old.spec, revoked: true }, object.spec)
  );
}

/** Whether the request is one of the controller's policy writes (no Admin check needed). */
export function isControllerPolicyRequest(
  request: AdmissionRequest,
  controllerUsername: string | undefined,
): boolean {
  return policyRequest(request, controllerUsername) !== undefined;
}

/**
 * Decides a policy write of the controller; undefined for any other request (the usual rules
 * apply, and the controller, not being an Admin, is refused).
 */
export function decideControllerPolicy(
  request: AdmissionRequest,
  facts: AdmissionFacts,
): AdmissionVerdict | undefined {
  const kind = policyRequest(request, facts.controllerUsername);
  if (kind === undefined) return undefined;
  const ref = `${request.namespace ?? ""}/${request.name ?? ""}`;
  const old = parseOrMessage(parseServiceToken, request.oldObject);
  // The policies judge only tokens they can read.
  if (!old.ok)
    return deny(`The svctokens controller cannot read ServiceToken ${ref}: ${old.message}`);
  // Already being deleted: nothing left to protect.
  if (old.value.metadata.deletionTimestamp !== undefined) return ALLOW;
  const phase = currentTokenPhase(old.value, facts.now);
  if (kind === "revoke") {
    return phase === ServiceTokenPhase.Active
      ? ALLOW
      : deny(
          `The svctokens controller revokes only Active tokens; ServiceToken ${ref} is ${phase}`,
        );
  }
  if (phase === ServiceTokenPhase.Expired && !old.value.spec.revoked) return ALLOW;
  return deny(
    `The svctokens controller deletes only Expired tokens that are not revoked ` +
      `(SVCTOKENS_DELETE_EXPIRED_AFTER_DAYS); ServiceToken ${ref} is ` +
      `${old.value.spec.revoked ? "revoked" : phase}`,
  );
}
