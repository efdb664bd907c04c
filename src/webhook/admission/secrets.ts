// Admission for the operator's own Secrets: hash records (which decide who authenticates) and
// delivery Secrets (whose deletion makes the controller regenerate a token). Only the controller
// writes them; kube-controller-manager may delete them and tidy their owner references.
import { isDeepStrictEqual } from "node:util";
import {
  DELIVERY_SECRET_TYPE,
  HASH_RECORD_SECRET_TYPE,
  LABEL_TOKEN_NAME,
  LABEL_TOKEN_NAMESPACE,
} from "../../api/index.ts";
import {
  ALLOW,
  deny,
  GARBAGE_COLLECTOR_USERNAME,
  isClusterCleanup,
  KUBE_CONTROLLER_MANAGER_USERNAME,
  requesterName,
  type AdmissionFacts,
} from "./common.ts";
import type { AdmissionRequest, AdmissionVerdict } from "./review.ts";
import { MANAGED_BY_LABEL_KEY, MANAGED_BY_LABEL_VALUE } from "../../api/index.ts";

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
  const labelled = versions.some(
    (s) => labelsOf(s)[MANAGED_BY_LABEL_KEY] === MANAGED_BY_LABEL_VALUE,
  );
  return labelled ? "managed" : undefined;
}

/** The garbage collector removes owner references (orphaning): a change to metadata only. */
function onlyMetadataChanged(request: AdmissionRequest): boolean {
  const strip = (obj: unknown): unknown => {
    const { metadata: _metadata, ...rest } = (obj ?? {}) as Record<string, unknown>;
    return rest;
  };
  return isDeepStrictEqual(strip(request.object), strip(request.oldObject));
}

function mayChange(request: AdmissionRequest, facts: AdmissionFacts): boolean {
  const username = request.userInfo.username;
  if (username === facts.controllerUsername) return true;
  if (request.operation === "DELETE") return isClusterCleanup(username);
  const collector =
    username === GARBAGE_COLLECTOR_USERNAME || username === KUBE_CONTROLLER_MANAGER_USERNAME;
  return request.operation === "UPDATE" && collector && onlyMetadataChanged(request);
}

/** Decides a request on Secrets (the webhook is only sent the operator's labelled ones). */
export function decideSecretAdmission(
  request: AdmissionRequest,
  facts: AdmissionFacts,
): AdmissionVerdict {
  if (request.operation === "CONNECT") return ALLOW;
  const role = secretRole(request);
  if (role === undefined || mayChange(request, facts)) return ALLOW;

  const ref = `${request.namespace ?? ""}/${request.name ?? ""}`;
  // Old and new labels together: removing the token-name label must not hide which token.
  const labels = { ...labelsOf(request.oldObject), ...labelsOf(request.object) };
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
  const verb = { CREATE: "create", UPDATE: "change", DELETE: "delete" }[request.operation];
  return deny(
    `Secret ${ref} ${what}, so only the svctokens controller may ${verb} it, not ` +
      `${requesterName(request)}: to stop a token, revoke its ServiceToken (spec.revoked: ` +
      `true); to replace it, create a new ServiceToken`,
  );
}
