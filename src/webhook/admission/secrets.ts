// Admission for the operator's own Secrets: hash records (which decide who authenticates) and
// delivery Secrets (whose deletion makes the controller regenerate a token). Only the controller
// writes them; kube-controller-manager may delete them, and its garbage collector may change
// their owner references and finalizers, nothing else. Their two types are the controller's
// alone: nobody else creates a Secret of either type, labelled or not.
import {
  DELIVERY_SECRET_TYPE,
  HASH_RECORD_SECRET_TYPE,
  LABEL_TOKEN_NAME,
  LABEL_TOKEN_NAMESPACE,
} from "../../api/index.ts";
import {
  ALLOW,
  deny,
  isClusterCleanup,
  isGarbageCollector,
  requesterName,
  type AdmissionFacts,
} from "./common.ts";
import type { AdmissionRequest, AdmissionVerdict } from "./review.ts";
import { MANAGED_BY_LABEL_KEY, MANAGED_BY_LABEL_VALUE } from "../../api/index.ts";
import { onlyLifeFieldsChanged } from "./metadata-changes.ts";

type SecretJson = Record<string, unknown> & {
  type?: unknown;
  metadata?: { labels?: Record<string, unknown> };
};

type SecretRole = "hash-record" | "delivery" | "managed";

function labelsOf(secret: unknown): Record<string, unknown> {
  const metadata = (secret as { metadata?: { labels?: Record<string, unknown> } } | null)?.metadata;
  return metadata?.labels ?? {};
}

/** What the Secret is to svctokens (from the new or the old object), or undefined: not ours. */
function secretRole(request: AdmissionRequest): SecretRole | undefined {
  const versions = [request.object, request.oldObject].filter(Boolean) as SecretJson[];
  if (versions.some((s) => s.type === HASH_RECORD_SECRET_TYPE)) return "hash-record";
  if (versions.some((s) => s.type === DELIVERY_SECRET_TYPE)) return "delivery";
  return isLabelled(request) ? "managed" : undefined;
}

/** Whether the old or the new object carries the controller's managed-by label. */
function isLabelled(request: AdmissionRequest): boolean {
  return [request.object, request.oldObject].some(
    (s) => labelsOf(s)[MANAGED_BY_LABEL_KEY] === MANAGED_BY_LABEL_VALUE,
  );
}

function mayChange(request: AdmissionRequest, facts: AdmissionFacts): boolean {
  const username = request.userInfo.username;
  if (username === facts.controllerUsername) return true;
  if (request.operation === "DELETE") {
    // Unlabelled, it is ours only by type: the controller never wrote it, nothing trusts it,
    // and deleting it is how its SecretConflict is resolved.
    return isClusterCleanup(username) || !isLabelled(request);
  }
  // The garbage collector orphans (removes owner references) and finishes foreground
  // deletions (removes finalizers); any other change by it is refused like anyone else's.
  return (
    request.operation === "UPDATE" &&
    isGarbageCollector(username) &&
    onlyLifeFieldsChanged(request.oldObject, request.object)
  );
}

/** The denial for a Secret that is svctokens' only by its type (no managed-by label). */
function reservedType(request: AdmissionRequest, verb: string): AdmissionVerdict {
  const type = [request.object, request.oldObject]
    .map((s) => s?.type)
    .find((t) => t === HASH_RECORD_SECRET_TYPE || t === DELIVERY_SECRET_TYPE);
  return deny(
    `Secret ${request.namespace ?? ""}/${request.name ?? ""} has type ${String(type)}, which ` +
      `only the svctokens controller writes, so ${requesterName(request)} may not ${verb} it: ` +
      `give your Secret another type (such as Opaque); to get a token, create a ServiceToken`,
  );
}

/** Decides a request on Secrets (the webhook is only sent the operator's labelled ones). */
export function decideSecretAdmission(
  request: AdmissionRequest,
  facts: AdmissionFacts,
): AdmissionVerdict {
  if (request.operation === "CONNECT") return ALLOW;
  const role = secretRole(request);
  if (role === undefined || mayChange(request, facts)) return ALLOW;

  const verb = { CREATE: "create", UPDATE: "change", DELETE: "delete" }[request.operation];
  if (!isLabelled(request)) return reservedType(request, verb);

  const ref = `${request.namespace ?? ""}/${request.name ?? ""}`;
  // The stored labels first: re-pointing or removing the token-name label must not hide which
  // token the Secret belongs to.
  const labels = { ...labelsOf(request.object), ...labelsOf(request.oldObject) };
  const tokenName = labels[LABEL_TOKEN_NAME];
  const tokenNamespace =
    role === "hash-record" ? labels[LABEL_TOKEN_NAMESPACE] : (request.namespace ?? "");
  const token =
    typeof tokenName === "string" && typeof tokenNamespace === "string"
      ? `ServiceToken ${tokenNamespace}/${tokenName}`
      : "a ServiceToken";
  const what = {
    "hash-record": `holds the hash of ${token}`,
    delivery: `delivers the value of ${token}`,
    managed: "is managed by svctokens",
  }[role];
  return deny(
    `Secret ${ref} ${what}, so only the svctokens controller may ${verb} it, not ` +
      `${requesterName(request)}: to stop a token, revoke its ServiceToken (spec.revoked: ` +
      `true); to replace it, create a new ServiceToken`,
  );
}
