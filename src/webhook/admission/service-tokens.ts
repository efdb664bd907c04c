// Admission rules for ServiceTokens (DESIGN.md): Admins create, revoke, restore, change and
// delete; an Active token must be revoked before deletion; an expired token is never restored;
// a new token needs a ServiceUser that is not deactivated or being deleted (one that does not
// exist yet is fine: the token waits for it, so any apply order works), a name unused by that
// user's other tokens, and a lifetime within the operator's maximum. For the lifecycle
// policies, the controller may revoke Active tokens and delete Expired ones
// (controller-policy.ts).
import { parseServiceToken, ServiceTokenPhase, type ServiceToken } from "../../api/index.ts";
import { isTokenHash } from "../../tokens/index.ts";
import {
  ALLOW,
  currentTokenPhase,
  deny,
  listNames,
  notAdmin,
  tokenExpiry,
  tokenRef,
  type AdmissionFacts,
} from "./common.ts";
import type { AdmissionRequest, AdmissionVerdict } from "./review.ts";
import { actionNeedsAdmin, classifyRequest, type RequestAction } from "./classify.ts";
import { decideTokenMetadataChange, tokenMetadataNeedsAdmin } from "./token-metadata.ts";
import { decideCleanupDelete } from "./token-cleanup-delete.ts";
import { teamNamespaceDeliveryProblem } from "./team-namespace.ts";
import { decideControllerPolicy, isControllerPolicyRequest } from "./controller-policy.ts";

const classify = (request: AdmissionRequest): RequestAction<ServiceToken> =>
  classifyRequest(request, parseServiceToken, { cleanupMayDelete: true });

/** Whether deciding this request needs to know if the requester is an Admin. */
export function serviceTokenNeedsAdmin(
  request: AdmissionRequest,
  controllerUsername?: string,
): boolean {
  if (isControllerPolicyRequest(request, controllerUsername)) return false;
  const action = classify(request);
  if (action.kind === "unguarded") return tokenMetadataNeedsAdmin(request, controllerUsername);
  return actionNeedsAdmin(action);
}

/** Decides a request on the servicetokens resource. */
export function decideServiceTokenAdmission(
  request: AdmissionRequest,
  facts: AdmissionFacts,
): AdmissionVerdict {
  const policy = decideControllerPolicy(request, facts);
  if (policy !== undefined) return policy;
  const action = classify(request);
  const ref = `${request.namespace ?? ""}/${requestObjectName(request)}`;
  switch (action.kind) {
    case "unguarded":
      // Not Admin actions as such, but protected metadata and clean-up deletes have rules.
      return request.operation === "DELETE"
        ? decideCleanupDelete(request, facts)
        : decideTokenMetadataChange(request, facts);
    case "invalid":
      return deny(action.message);
    case "create":
      if (!facts.isAdmin)
        return notAdmin(`creating ServiceToken ${tokenRef(action.object)}`, request);
      return decideCreate(action.object, facts);
    case "change":
      return decideChange(action.old, action.object, request, facts);
    case "delete":
      if (!facts.isAdmin) return notAdmin(`deleting ServiceToken ${ref}`, request);
      return decideDelete(action.old, ref, facts);
  }
}

function decideCreate(token: ServiceToken, facts: AdmissionFacts): AdmissionVerdict {
  const ref = tokenRef(token);
  const refused = `ServiceToken ${ref} cannot be created`;
  const userName = token.spec.serviceUser;
  // A user that does not exist yet is no reason to refuse: GitOps tools apply a user and its
  // tokens in one set, in any order. The token waits (Reconciling, ServiceUserNotFound).
  const user = facts.cluster.serviceUser(userName);
  if (user?.metadata.deletionTimestamp !== undefined) {
    return deny(`${refused}: ServiceUser "${userName}" is being deleted; name another ServiceUser`);
  }
  if (user !== undefined && !user.spec.active) {
    return deny(
      `${refused}: ServiceUser "${userName}" is deactivated; reactivate it ` +
        `(spec.active: true) first`,
    );
  }
  // A user that does not exist yet is checked when it is created (its waiting tokens).
  const reach =
    user &&
    teamNamespaceDeliveryProblem(token, user, facts.namespaceLabels?.(token.metadata.namespace));
  if (reach !== undefined) return deny(`${refused}: ${reach}`);
  const sameName = facts.cluster
    .tokensOfUser(userName)
    .filter((other) => other.metadata.name === token.metadata.name && tokenRef(other) !== ref);
  if (sameName.length > 0) {
    return deny(
      `${refused}: ServiceUser "${userName}" already has a token named ` +
        `"${token.metadata.name}" (${listNames(sameName.map(tokenRef))}); token names are ` +
        `unique per Service User, so choose another name`,
    );
  }
  const lifetime = lifetimeProblem(token, facts.maxTokenLifetimeDays);
  if (lifetime !== undefined) return deny(`${refused}: ${lifetime}`);
  const reused = hashReuse(token, facts);
  return reused === undefined ? ALLOW : deny(`${refused}: ${reused}`);
}

/** Why spec.tokenHash may not be used: another token already holds that hash. */
function hashReuse(token: ServiceToken, facts: AdmissionFacts): string | undefined {
  const ref = tokenRef(token);
  const hash = token.spec.tokenHash;
  if (hash === undefined || !isTokenHash(hash)) return undefined;
  const holders = [
    ...facts.cluster.tokensWithSpecHash(hash).map(tokenRef),
    ...facts.cluster.recordsByHash(hash).map((r) => `${r.tokenNamespace}/${r.tokenName}`),
  ].filter((holder) => holder !== ref);
  if (holders.length === 0) return undefined;
  return (
    `spec.tokenHash is already the hash of ServiceToken ` +
    `${listNames([...new Set(holders)])}; generate a new token value and use its hash`
  );
}

/** Why the token's lifetime exceeds the operator's maximum, if it does. */
function lifetimeProblem(token: ServiceToken, maxDays: number | undefined): string | undefined {
  if (maxDays === undefined) return undefined;
  const days = token.spec.expiresInDays;
  const fix = `set spec.expiresInDays between 1 and ${maxDays}`;
  if (days === undefined) {
    return `it never expires, and this operator allows tokens of at most ${maxDays} days; ${fix}`;
  }
  if (days > maxDays) {
    return `spec.expiresInDays is ${days}, more than the ${maxDays} days this operator allows; ${fix}`;
  }
  return undefined;
}

function decideChange(
  old: ServiceToken | undefined,
  token: ServiceToken,
  request: AdmissionRequest,
  facts: AdmissionFacts,
): AdmissionVerdict {
  const ref = tokenRef(token);
  const revoking = old?.spec.revoked === false && token.spec.revoked;
  const restoring = old?.spec.revoked === true && !token.spec.revoked;
  const verb = revoking ? "revoking" : restoring ? "restoring" : "changing";
  if (!facts.isAdmin) return notAdmin(`${verb} ServiceToken ${ref}`, request);
  // A new spec.tokenHash rotates a client-generated token: never onto another token's hash.
  if (old !== undefined && old.spec.tokenHash !== token.spec.tokenHash) {
    const reused = hashReuse(token, facts);
    if (reused !== undefined) return deny(`ServiceToken ${ref} cannot be rotated: ${reused}`);
  }
  if (!restoring || old === undefined) return ALLOW;

  if (currentTokenPhase(old, facts.now) === ServiceTokenPhase.Expired) {
    const expiry = tokenExpiry(old);
    const when = expiry === undefined ? "" : ` at ${expiry.toISOString().replace(/\.000Z$/, "Z")}`;
    return deny(
      `ServiceToken ${ref} expired${when} and cannot be restored: an expired token is never ` +
        `restored; create a new ServiceToken instead`,
    );
  }
  // A deactivated user has no Active tokens; restoring one would break that promise.
  const user = facts.cluster.serviceUser(token.spec.serviceUser);
  if (user !== undefined && !user.spec.active) {
    return deny(
      `ServiceToken ${ref} cannot be restored while its ServiceUser ` +
        `"${token.spec.serviceUser}" is deactivated: reactivate the ServiceUser ` +
        `(spec.active: true) first`,
    );
  }
  return ALLOW;
}

function decideDelete(
  old: ServiceToken | undefined,
  ref: string,
  facts: AdmissionFacts,
): AdmissionVerdict {
  // Already being deleted, or no longer parseable: nothing left to protect.
  if (old === undefined || old.metadata.deletionTimestamp !== undefined) return ALLOW;
  if (currentTokenPhase(old, facts.now) === ServiceTokenPhase.Active) {
    return deny(`ServiceToken ${ref} is Active: revoke it (spec.revoked: true) before deleting it`);
  }
  return ALLOW;
}

/**
 * The name the request is about. A DELETE of a collection reaches admission once per object
 * with no request name: the old object carries it.
 */
function requestObjectName(request: AdmissionRequest): string {
  if (request.name) return request.name;
  const old = request.oldObject as { metadata?: { name?: unknown } } | null | undefined;
  return typeof old?.metadata?.name === "string" ? old.metadata.name : "";
}
