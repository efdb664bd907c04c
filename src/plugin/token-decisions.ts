// What revoke, restore, delete and rotate do with a token in a given state, as pure functions:
// a patch to send, or a refusal that says why and what to do instead.
import { ROTATE_REQUESTED_AT_ANNOTATION, SCIM_AUDIENCE } from "../api/index.ts";
import { rfc3339 } from "../k8s/time.ts";
import type { TokenHash } from "../tokens/index.ts";
import type { TokenObject } from "./cluster.ts";
import { expiresFlag } from "./durations.ts";
import { tokenStatus } from "./token-rows.ts";

/** Send this merge patch, or stop (`done`: nothing to do; `refused`: exit 1). */
export type Decision =
  | { kind: "patch"; patch: object }
  | { kind: "done"; message: string }
  | { kind: "refused"; message: string; hint: string };

const ref = (token: TokenObject): string =>
  `ServiceToken ${token.metadata.namespace ?? ""}/${token.metadata.name}`;
const flagsOf = (token: TokenObject): string => `-n ${token.metadata.namespace ?? "default"}`;

/** The `generate` command that replaces a token: same user, lifetime and audience. */
export function replacementCommand(token: TokenObject): string {
  const scim = token.spec.audiences?.includes(SCIM_AUDIENCE) ? " --scim" : "";
  return (
    `kubectl svctokens generate ${token.metadata.name}-new --user ${token.spec.serviceUser} ` +
    `--expires ${expiresFlag(token.spec.expiresInDays)}${scim} ${flagsOf(token)}`
  );
}

export function decideRevoke(token: TokenObject): Decision {
  if (token.spec.revoked === true)
    return { kind: "done", message: `${ref(token)} is already revoked` };
  return { kind: "patch", patch: { spec: { revoked: true } } };
}

export function decideRestore(token: TokenObject): Decision {
  if (tokenStatus(token) === "Expired") {
    const at = token.status?.expiresAt ?? "its expiry";
    return {
      kind: "refused",
      message: `${ref(token)} expired at ${at}: an expired token can never be restored`,
      hint: `Generate a new token instead:\n  ${replacementCommand(token)}`,
    };
  }
  if (token.spec.revoked !== true) {
    return { kind: "done", message: `${ref(token)} is not revoked: nothing to restore` };
  }
  return { kind: "patch", patch: { spec: { revoked: false } } };
}

/** Delete only a Revoked or Expired token (an Active one is revoked first). */
export function decideDelete(token: TokenObject): Decision {
  const status = tokenStatus(token);
  if (status === "Revoked" || status === "Expired") return { kind: "patch", patch: {} };
  return {
    kind: "refused",
    message: `${ref(token)} is ${status}: revoke it first`,
    hint: `kubectl svctokens revoke ${token.metadata.name} ${flagsOf(token)}`,
  };
}

/**
 * The rotation request: the annotation (RFC 3339 now) and, when given, the overlap; for a
 * client-generated token also the hash of the new value made here.
 */
export function rotationPatch(
  now: Date,
  overlapMinutes: number | undefined,
  newHash: TokenHash | undefined,
): object {
  const spec = {
    ...(newHash === undefined ? {} : { tokenHash: newHash }),
    ...(overlapMinutes === undefined ? {} : { rotation: { overlapMinutes } }),
  };
  return {
    metadata: { annotations: { [ROTATE_REQUESTED_AT_ANNOTATION]: rfc3339(now) } },
    ...(Object.keys(spec).length > 0 ? { spec } : {}),
  };
}

export function decideRotate(token: TokenObject): Decision {
  const status = tokenStatus(token);
  if (status === "Active") return { kind: "patch", patch: {} };
  return {
    kind: "refused",
    message: `${ref(token)} is ${status}: only an Active token is rotated`,
    hint:
      status === "Revoked"
        ? `Restore it first (kubectl svctokens restore ${token.metadata.name} ${flagsOf(token)}), or generate a new one:\n  ${replacementCommand(token)}`
        : `Generate a new token instead:\n  ${replacementCommand(token)}`,
  };
}

/** Whether the text typed at the confirmation prompt names the token. */
export function confirmsDeletion(typed: string, name: string): boolean {
  return typed.trim() === name;
}
