// What the lifecycle policies read from a ServiceToken: whether it was generated, when it
// expires, since when nobody has used it, and whether the controller itself revoked it. Read
// from a minimal view, so the scrape-time gauges can use raw cached objects without parsing.
import { CONTROLLER_FIELD_MANAGER, ServiceTokenPhase } from "../../api/index.ts";
import { tokenExpiry, tokenPhase } from "../../domain/token-lifecycle.ts";
import type { ManagedFieldsEntry } from "../../k8s/object.ts";

export const DAY_MS = 24 * 60 * 60 * 1000;

/** The fields of a ServiceToken the policies read (a parsed ServiceToken is one). */
export interface LifecycleTokenView {
  metadata?: {
    creationTimestamp?: string | undefined;
    deletionTimestamp?: string | undefined;
    managedFields?: unknown;
  };
  spec?: { revoked?: boolean | undefined; expiresInDays?: number | undefined };
  status?:
    | {
        phase?: string | undefined;
        createdAt?: string | undefined;
        expiresAt?: string | undefined;
        lastUsedAt?: string | undefined;
      }
    | undefined;
}

/** A generated token's life, as of `now`. */
export interface TokenLifeFacts {
  /** The phase at `now`, which may be ahead of status.phase (the reconciler writes it). */
  phase: ServiceTokenPhase;
  expiresAt: Date | undefined;
  /** Latest authentication, else generation: unused time is counted from here. */
  idleSince: Date;
  neverUsed: boolean;
}

const dateOf = (text: string | undefined): Date | undefined => {
  if (text === undefined) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
};

/** The token's life, or undefined before the controller generated it (nothing to judge). */
export function tokenLifeFacts(token: LifecycleTokenView, now: Date): TokenLifeFacts | undefined {
  const status = token.status;
  const generatedAt = dateOf(status?.createdAt);
  if (status?.phase === undefined || generatedAt === undefined) return undefined;
  const expiresAt = tokenExpiry(
    {
      creationTimestamp: token.metadata?.creationTimestamp,
      createdAt: status.createdAt,
      expiresAt: status.expiresAt,
    },
    token.spec?.expiresInDays,
    undefined,
    now,
  );
  const lastUsed = dateOf(status.lastUsedAt);
  return {
    phase: tokenPhase(token.spec?.revoked ?? false, expiresAt, now),
    expiresAt,
    idleSince: lastUsed !== undefined && lastUsed > generatedAt ? lastUsed : generatedAt,
    neverUsed: lastUsed === undefined,
  };
}

/** Whether the token has gone `days` whole days without authenticating. */
export function unusedFor(facts: TokenLifeFacts, days: number, now: Date): boolean {
  return now.getTime() - facts.idleSince.getTime() >= days * DAY_MS;
}

/**
 * Whether spec.revoked was last set by the controller (the unused-token policy: it sets the
 * field for no other reason). kube-apiserver records in metadata.managedFields which field
 * manager last changed each field; an Admin who restores or revokes the token takes the field
 * over. Only Admins and the controller may change spec.revoked (admission), so this tells an
 * automatic revocation from a person's even after a crash between the policy's two writes.
 */
export function revokedByController(token: LifecycleTokenView): boolean {
  return token.spec?.revoked === true && controllerManagesRevoked(token.metadata?.managedFields);
}

/** Whether a token's managedFields hold the controller's own (not a subresource's) spec.revoked. */
export function controllerManagesRevoked(managedFields: unknown): boolean {
  if (!Array.isArray(managedFields)) return false;
  return (managedFields as ManagedFieldsEntry[]).some((entry) => {
    if (entry.manager !== CONTROLLER_FIELD_MANAGER || (entry.subresource ?? "") !== "") {
      return false;
    }
    const spec = entry.fieldsV1?.["f:spec"];
    return typeof spec === "object" && spec !== null && "f:revoked" in spec;
  });
}

/** Whether the token's status already says Expired (what admission reads as well). */
export function reportedExpired(token: LifecycleTokenView): boolean {
  return token.status?.phase === ServiceTokenPhase.Expired;
}
