// `kubectl svctokens generate`: the ServiceToken it creates and how it reads the outcome, as
// pure functions (the command in generate.ts does the I/O).
import {
  API_GROUP_VERSION,
  ReadyReason,
  SCIM_AUDIENCE,
  SERVICE_TOKEN_KIND,
  STALLED_REASONS,
} from "../api/index.ts";
import type { TokenHash } from "../tokens/index.ts";
import type { TokenObject } from "./cluster.ts";
import { UsageError } from "./errors.ts";

export interface GenerateRequest {
  name: string;
  namespace: string;
  user: string;
  /** Undefined: never expires. */
  expiresInDays: number | undefined;
  scim: boolean;
  description?: string | undefined;
  labels: Record<string, string>;
  /** Client-generated: the hash of the value made here; undefined with --deliver. */
  tokenHash: TokenHash | undefined;
}

/** The ServiceToken to create. */
export function desiredToken(request: GenerateRequest): TokenObject {
  return {
    apiVersion: API_GROUP_VERSION,
    kind: SERVICE_TOKEN_KIND,
    metadata: {
      name: request.name,
      namespace: request.namespace,
      ...(Object.keys(request.labels).length > 0 ? { labels: request.labels } : {}),
    },
    spec: {
      serviceUser: request.user,
      revoked: false,
      ...(request.description === undefined ? {} : { description: request.description }),
      ...(request.expiresInDays === undefined ? {} : { expiresInDays: request.expiresInDays }),
      ...(request.scim ? { audiences: [SCIM_AUDIENCE] } : {}),
      ...(request.tokenHash === undefined ? {} : { tokenHash: request.tokenHash }),
    },
  };
}

/** `--label key=value` (repeatable) collected into labels. */
export function collectLabel(
  text: string,
  labels: Record<string, string> | undefined,
): Record<string, string> {
  const at = text.indexOf("=");
  if (at <= 0) throw new UsageError(`--label "${text}" is not key=value`);
  return { ...labels, [text.slice(0, at)]: text.slice(at + 1) };
}

/** Where a just-created token stands. */
export type Settled =
  | { state: "ready"; phase: string }
  | { state: "waiting"; message: string }
  | { state: "stalled"; reason: string; message: string }
  | { state: "pending" };

/**
 * Ready: done. Waiting for its ServiceUser: done too (it is generated when the user exists).
 * Stalled: a person must act. Anything else: the controller is still at work.
 */
export function settledState(token: TokenObject): Settled {
  const conditions = token.status?.conditions ?? [];
  const ready = conditions.find((c) => c.type === "Ready");
  if (ready?.status === "True" && token.status?.observedGeneration === token.metadata.generation) {
    return { state: "ready", phase: token.status?.phase ?? "Active" };
  }
  if (ready?.reason === ReadyReason.ServiceUserNotFound) {
    return { state: "waiting", message: ready.message };
  }
  const stalled = conditions.find((c) => c.type === "Stalled" && c.status === "True");
  if (stalled || (ready && STALLED_REASONS.has(ready.reason))) {
    const cause = stalled ?? ready;
    return { state: "stalled", reason: cause?.reason ?? "", message: cause?.message ?? "" };
  }
  return { state: "pending" };
}
