// What every admission rule shares: the facts it may read, the identities that clean up after
// deletions, and how denials are worded (what was refused, why, and what to do instead).
import { InvalidObjectError, ServiceTokenPhase, type ServiceToken } from "../../api/index.ts";
import { errorMessage } from "../../k8s/errors.ts";
import { tokenExpiresAt, tokenPhase } from "../../domain/token-lifecycle.ts";
import type { AdmissionRequest, AdmissionVerdict } from "./review.ts";
import type { ClusterFacts } from "../cache/facts.ts";

/** Everything a decision may know besides the request. */
export interface AdmissionFacts {
  cluster: ClusterFacts;
  /** Whether RBAC allows the requester verb `admin` on servicetokens.svctokens.dev. */
  isAdmin: boolean;
  now: Date;
  /** Operator-wide maximum token lifetime in days; undefined: tokens may never expire. */
  maxTokenLifetimeDays: number | undefined;
  /** The svctokens controller: the only identity that may write the operator's Secrets. */
  controllerUsername: string;
  /**
   * Labels of the namespaces a team-namespace rule needs (decision 24), read for the request:
   * a ServiceToken create with a delivery Secret, a ServiceUser role or teams change. Undefined
   * for a namespace that was not read.
   */
  namespaceLabels?: (namespace: string) => Readonly<Record<string, string>> | undefined;
}

/** kube-controller-manager's garbage collector (with per-controller credentials). */
export const GARBAGE_COLLECTOR_USERNAME =
  "system:serviceaccount:kube-system:generic-garbage-collector";
/** kube-controller-manager's namespace controller (with per-controller credentials). */
export const NAMESPACE_CONTROLLER_USERNAME =
  "system:serviceaccount:kube-system:namespace-controller";
/** kube-controller-manager running without per-controller credentials. */
export const KUBE_CONTROLLER_MANAGER_USERNAME = "system:kube-controller-manager";

const CLUSTER_CLEANUP_USERNAMES: ReadonlySet<string> = new Set([
  GARBAGE_COLLECTOR_USERNAME,
  NAMESPACE_CONTROLLER_USERNAME,
  KUBE_CONTROLLER_MANAGER_USERNAME,
]);

/**
 * The identities that delete dependents and namespace contents. They may delete tokens and
 * the operator's Secrets in any phase, so deleting a namespace or a ServiceUser never hangs.
 */
export function isClusterCleanup(username: string | undefined): boolean {
  return username !== undefined && CLUSTER_CLEANUP_USERNAMES.has(username);
}

/**
 * The identities that run the garbage collector: they remove owner references (orphaning) and
 * the `orphan`/`foregroundDeletion` finalizers, so cascading deletions finish.
 */
export function isGarbageCollector(username: string | undefined): boolean {
  return username === GARBAGE_COLLECTOR_USERNAME || username === KUBE_CONTROLLER_MANAGER_USERNAME;
}

export const ALLOW: AdmissionVerdict = { allowed: true };

export function deny(message: string): AdmissionVerdict {
  return { allowed: false, message };
}

/** How a denial names the requester. */
export function requesterName(request: AdmissionRequest): string {
  const username = request.userInfo.username;
  return username === undefined || username === "" ? "an anonymous requester" : `"${username}"`;
}

/** The denial for an Admin action by someone who is not an Admin. */
export function notAdmin(action: string, request: AdmissionRequest): AdmissionVerdict {
  const sentence = action.charAt(0).toUpperCase() + action.slice(1);
  return deny(
    `${sentence} is an Admin action and ${requesterName(request)} is not an Admin: ask an ` +
      `Admin to do it, or get RBAC permission for verb "admin" on ` +
      `servicetokens.svctokens.dev (the svctokens:admin ClusterRole)`,
  );
}

/** `a, b, c and 4 more`: names a few objects without flooding the terminal. */
export function listNames(names: readonly string[], max = 10): string {
  const shown = [...names].sort().slice(0, max);
  const more = names.length - shown.length;
  return more > 0 ? `${shown.join(", ")} and ${more} more` : shown.join(", ");
}

/** Parses an object of the request, or says why it does not parse. */
export function parseOrMessage<T>(
  parse: (obj: unknown) => T,
  obj: unknown,
): { ok: true; value: T } | { ok: false; message: string } {
  try {
    return { ok: true, value: parse(obj) };
  } catch (error) {
    if (error instanceof InvalidObjectError) {
      return { ok: false, message: `${error.message}: fix these fields and try again` };
    }
    return { ok: false, message: errorMessage(error) };
  }
}

/** `namespace/name` of a ServiceToken. */
export function tokenRef(token: ServiceToken): string {
  return `${token.metadata.namespace}/${token.metadata.name}`;
}

/** When a token expires, from its status or (not yet reported) its spec; undefined: never. */
export function tokenExpiry(token: ServiceToken): Date | undefined {
  const { status, spec } = token;
  if (status?.expiresAt !== undefined) return new Date(status.expiresAt);
  if (status?.createdAt === undefined) return undefined;
  return tokenExpiresAt(new Date(status.createdAt), spec.expiresInDays);
}

/** The token's phase at `now`, from its spec and expiry (an Expired status is final). */
export function currentTokenPhase(token: ServiceToken, now: Date): ServiceTokenPhase {
  if (token.status?.phase === ServiceTokenPhase.Expired) return ServiceTokenPhase.Expired;
  return tokenPhase(token.spec.revoked, tokenExpiry(token), now);
}
