// src/webhook/admission/: admission rules for our kinds and Secrets, wire format.
// The pure admission decision behind /validate: dispatches a request to the rules of its
// resource. Whether the requester is an Admin is an input (the handler asks RBAC only when
// `needsAdminCheck` says the answer matters).
import { API_GROUP, SERVICE_TOKEN_PLURAL, SERVICE_USER_PLURAL } from "../../api/index.ts";
import { ALLOW, type AdmissionFacts } from "./common.ts";
import type { AdmissionRequest, AdmissionVerdict } from "./review.ts";
import { decideSecretAdmission } from "./secrets.ts";
import { decideServiceTokenAdmission, serviceTokenNeedsAdmin } from "./service-tokens.ts";
import { decideServiceUserAdmission, serviceUserNeedsAdmin } from "./service-users.ts";

export type { AdmissionFacts } from "./common.ts";

/** The resources /validate is registered for; anything else is allowed untouched. */
export type AdmissionTarget = "servicetokens" | "serviceusers" | "secrets" | "other";

export function admissionTarget(request: AdmissionRequest): AdmissionTarget {
  const { group, resource } = request.resource;
  if (group === API_GROUP && resource === SERVICE_TOKEN_PLURAL) return "servicetokens";
  if (group === API_GROUP && resource === SERVICE_USER_PLURAL) return "serviceusers";
  if (group === "" && resource === "secrets") return "secrets";
  return "other";
}

/**
 * Whether the decision depends on the requester being an Admin (a SubjectAccessReview). With
 * `controllerUsername`, the controller's own metadata writes are known not to need one.
 */
export function needsAdminCheck(request: AdmissionRequest, controllerUsername?: string): boolean {
  switch (admissionTarget(request)) {
    case "servicetokens":
      return serviceTokenNeedsAdmin(request, controllerUsername);
    case "serviceusers":
      return serviceUserNeedsAdmin(request);
    case "secrets":
    case "other":
      return false;
  }
}

/** Allows or denies one admission request; a denial says what, why, and what to do. */
export function decideAdmission(
  request: AdmissionRequest,
  facts: AdmissionFacts,
): AdmissionVerdict {
  switch (admissionTarget(request)) {
    case "servicetokens":
      return decideServiceTokenAdmission(request, facts);
    case "serviceusers":
      return decideServiceUserAdmission(request, facts);
    case "secrets":
      return decideSecretAdmission(request, facts);
    case "other":
      // Not ours: only a mis-registered webhook sends these, and blocking them would hurt.
      return ALLOW;
  }
}
