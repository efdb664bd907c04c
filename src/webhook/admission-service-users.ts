// Admission rules for ServiceUsers (DESIGN.md): only Admins create, change and delete them; a
// user cannot be deactivated while it has Active tokens, and is deleted only once deactivated.
import { isDeepStrictEqual } from "node:util";
import { parseServiceUser, ServiceTokenPhase, type ServiceUser } from "../api/index.ts";
import {
  ALLOW,
  currentTokenPhase,
  deny,
  listNames,
  notAdmin,
  parseOrMessage,
  tokenRef,
  type AdmissionFacts,
} from "./admission-common.ts";
import type { AdmissionRequest, AdmissionVerdict } from "./admission-review.ts";

type UserAction =
  /** Not an Admin action: status, metadata-only changes, CONNECT. */
  | { kind: "unguarded" }
  | { kind: "invalid"; message: string }
  | { kind: "create"; user: ServiceUser }
  | { kind: "change"; old: ServiceUser | undefined; user: ServiceUser }
  | { kind: "delete"; old: ServiceUser | undefined };

function classify(request: AdmissionRequest): UserAction {
  if (request.subResource) return { kind: "unguarded" };
  switch (request.operation) {
    case "CONNECT":
      return { kind: "unguarded" };
    case "DELETE": {
      const old = parseOrMessage(parseServiceUser, request.oldObject);
      return { kind: "delete", old: old.ok ? old.value : undefined };
    }
    case "CREATE": {
      const user = parseOrMessage(parseServiceUser, request.object);
      return user.ok ? { kind: "create", user: user.value } : { kind: "invalid", ...user };
    }
    case "UPDATE": {
      const user = parseOrMessage(parseServiceUser, request.object);
      if (!user.ok) return { kind: "invalid", message: user.message };
      const old = parseOrMessage(parseServiceUser, request.oldObject);
      if (old.ok && isDeepStrictEqual(old.value.spec, user.value.spec))
        return { kind: "unguarded" };
      return { kind: "change", old: old.ok ? old.value : undefined, user: user.value };
    }
  }
}

/** Whether deciding this request needs to know if the requester is an Admin. */
export function serviceUserNeedsAdmin(request: AdmissionRequest): boolean {
  const { kind } = classify(request);
  return kind === "create" || kind === "change" || kind === "delete";
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
        return notAdmin(`creating ServiceUser ${action.user.metadata.name}`, request);
      }
      return ALLOW;
    case "change":
      return decideChange(action.old, action.user, request, facts);
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
