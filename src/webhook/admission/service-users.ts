// Admission rules for ServiceUsers (DESIGN.md): only Admins create, change and delete them; a
// user cannot be deactivated while it has Active tokens, and is deleted only once deactivated.
import { parseServiceUser, ServiceTokenPhase, type ServiceUser } from "../../api/index.ts";
import {
  ALLOW,
  currentTokenPhase,
  deny,
  listNames,
  notAdmin,
  tokenRef,
  type AdmissionFacts,
} from "./common.ts";
import type { AdmissionRequest, AdmissionVerdict } from "./review.ts";
import { actionNeedsAdmin, classifyRequest, type RequestAction } from "./classify.ts";
import { newUserDeliveryProblem, userChangeDeliveryProblem } from "./team-namespace.ts";

// Nobody but an Admin deletes users: neither the namespace controller nor the garbage collector
// ever has reason to.
const classify = (request: AdmissionRequest): RequestAction<ServiceUser> =>
  classifyRequest(request, parseServiceUser, { cleanupMayDelete: false });

/** Whether deciding this request needs to know if the requester is an Admin. */
export function serviceUserNeedsAdmin(request: AdmissionRequest): boolean {
  return actionNeedsAdmin(classify(request));
}

/** A new user: its waiting tokens must not sit where its reach would be exposed. */
function decideCreate(user: ServiceUser, facts: AdmissionFacts): AdmissionVerdict {
  const tokens = facts.cluster.tokensOfUser(user.metadata.name);
  const problem = newUserDeliveryProblem(user, tokens, facts.namespaceLabels);
  return problem === undefined ? ALLOW : deny(problem);
}

/** Decides a request on the serviceusers resource. */
export function decideServiceUserAdmission(
  request: AdmissionRequest,
  facts: AdmissionFacts,
): AdmissionVerdict {
  const action = classify(request);
  const name = request.name ?? "";
  switch (action.kind) {
    case "unguarded":
      return ALLOW;
    case "invalid":
      return deny(action.message);
    case "create":
      if (!facts.isAdmin) {
        return notAdmin(`creating ServiceUser ${action.object.metadata.name}`, request);
      }
      return decideCreate(action.object, facts);
    case "change":
      return decideChange(action.old, action.object, request, facts);
    case "delete":
      if (!facts.isAdmin) return notAdmin(`deleting ServiceUser ${name}`, request);
      if (action.old === undefined || action.old.metadata.deletionTimestamp !== undefined) {
        return ALLOW;
      }
      if (action.old.spec.active) {
        return deny(
          `ServiceUser ${name} is active: deactivate it (spec.active: false) before ` +
            `deleting it`,
        );
      }
      return ALLOW;
  }
}

function decideChange(
  old: ServiceUser | undefined,
  user: ServiceUser,
  request: AdmissionRequest,
  facts: AdmissionFacts,
): AdmissionVerdict {
  const name = user.metadata.name;
  const deactivating = old?.spec.active === true && !user.spec.active;
  const reactivating = old?.spec.active === false && user.spec.active;
  const verb = deactivating ? "deactivating" : reactivating ? "reactivating" : "changing";
  if (!facts.isAdmin) return notAdmin(`${verb} ServiceUser ${name}`, request);
  const tokens = facts.cluster.tokensOfUser(name);
  const reach = old && userChangeDeliveryProblem(old, user, tokens, facts.namespaceLabels);
  if (reach) return deny(reach);
  if (!deactivating) return ALLOW;

  const active = activeTokensOf(name, facts);
  if (active.length > 0) {
    return deny(
      `ServiceUser ${name} cannot be deactivated while it has Active tokens ` +
        `(${listNames(active)}): revoke them (spec.revoked: true) first`,
    );
  }
  return ALLOW;
}

/** `namespace/name` of the user's tokens that are Active now (and not being deleted). */
function activeTokensOf(userName: string, facts: AdmissionFacts): string[] {
  return facts.cluster
    .tokensOfUser(userName)
    .filter((token) => token.metadata.deletionTimestamp === undefined)
    .filter((token) => currentTokenPhase(token, facts.now) === ServiceTokenPhase.Active)
    .map(tokenRef);
}
