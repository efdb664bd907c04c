// Who may change the metadata that decides a ServiceToken's life (DESIGN.md, "Security
// invariants"): its owner references (the garbage collector deletes a token whose owner is
// gone), its finalizers (they hold its deletion until the hash record is removed) and the
// rotation annotation (it replaces its value). The controller and Admins may; the garbage
// collector may tidy owner references and finalizers so cascading deletions finish. Labels and
// other annotations stay free for anyone RBAC lets patch the token.
import { ROTATE_REQUESTED_AT_ANNOTATION } from "../../api/index.ts";
import { ALLOW, deny, isGarbageCollector, notAdmin, type AdmissionFacts } from "./common.ts";
import { annotationOf, changedLifeFields } from "./metadata-changes.ts";
import type { AdmissionRequest, AdmissionVerdict } from "./review.ts";

/** A protected part of a token's metadata. */
type ProtectedField = "ownerReferences" | "finalizers" | "rotation";

const FIELD_NAMES: Record<ProtectedField, string> = {
  ownerReferences: "metadata.ownerReferences",
  finalizers: "metadata.finalizers",
  rotation: `the annotation ${ROTATE_REQUESTED_AT_ANNOTATION}`,
};

const WHY: Record<ProtectedField, string> = {
  ownerReferences: "owner references decide when the garbage collector deletes a token",
  finalizers: "finalizers hold a token's deletion until its hash record is removed",
  rotation: "the rotation annotation replaces a token's value",
};

/** The protected fields an update of a ServiceToken (not a subresource) changes. */
export function protectedTokenChanges(request: AdmissionRequest): ProtectedField[] {
  if (request.operation !== "UPDATE" || request.subResource) return [];
  const { oldObject: old, object } = request;
  const changes: ProtectedField[] = changedLifeFields(old, object);
  if (
    annotationOf(old, ROTATE_REQUESTED_AT_ANNOTATION) !==
    annotationOf(object, ROTATE_REQUESTED_AT_ANNOTATION)
  ) {
    changes.push("rotation");
  }
  return changes;
}

/** The protected changes only an Admin may make, given who is asking. */
function changesNeedingAdmin(
  request: AdmissionRequest,
  controllerUsername: string | undefined,
): ProtectedField[] {
  const changes = protectedTokenChanges(request);
  const username = request.userInfo.username;
  if (username !== undefined && username === controllerUsername) return [];
  if (isGarbageCollector(username)) return changes.filter((field) => field === "rotation");
  return changes;
}

/**
 * Whether the update changes protected metadata that only an Admin may change here. Without
 * the controller's username, the controller's own changes ask RBAC too (never fewer checks).
 */
export function tokenMetadataNeedsAdmin(
  request: AdmissionRequest,
  controllerUsername: string | undefined,
): boolean {
  return changesNeedingAdmin(request, controllerUsername).length > 0;
}

/** Decides an update whose spec is unchanged: protected metadata needs an Admin. */
export function decideTokenMetadataChange(
  request: AdmissionRequest,
  facts: AdmissionFacts,
): AdmissionVerdict {
  const fields = changesNeedingAdmin(request, facts.controllerUsername);
  if (fields.length === 0 || facts.isAdmin) return ALLOW;
  const ref = `${request.namespace ?? ""}/${request.name ?? ""}`;
  const names = fields.map((field) => FIELD_NAMES[field]);
  const what = [names.slice(0, -1).join(", "), names.at(-1)].filter(Boolean).join(" and ");
  const refusal = notAdmin(`changing ${what} of ServiceToken ${ref}`, request);
  if (refusal.allowed) return refusal;
  const why = fields.map((field) => WHY[field]).join("; ");
  return deny(`${refusal.message}. Why: ${why}. Labels and other annotations need no Admin.`);
}
