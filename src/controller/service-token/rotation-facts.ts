// The rotation decision's inputs, read from a token and what its Secrets hold (pure).
import { ROTATE_REQUESTED_AT_ANNOTATION, type ServiceToken } from "../../api/index.ts";
import { tokenExpiry } from "../../domain/token-lifecycle.ts";
import {
  hashToken,
  isWellFormedToken,
  tokenIdFromHash,
  type TokenHash,
} from "../../tokens/index.ts";
import type { DeliverySecretState, RecordState } from "./desired.ts";
import type { HeldValue, RotationFacts } from "./rotation-plan.ts";

/** What the token's Secrets hold, as the caches (or a fresh read) see them. */
export interface Held {
  delivery: DeliverySecretState;
  currentRecord: RecordState;
  previousRecord: RecordState;
}

/** The pure decision's inputs. */
export function rotationFacts(token: ServiceToken, held: Held, now: Date): RotationFacts {
  const { spec, metadata } = token;
  const status = token.status ?? {};
  const times = { ...status, creationTimestamp: metadata.creationTimestamp };
  const expiresAt = tokenExpiry(times, spec.expiresInDays, undefined, now);
  const expired = expiresAt !== undefined && now.getTime() >= expiresAt.getTime();
  return {
    now,
    active: !spec.revoked && !expired && metadata.deletionTimestamp === undefined,
    clientTokenId:
      spec.tokenHash === undefined ? undefined : tokenIdFromHash(spec.tokenHash as TokenHash),
    status,
    requestedAt: metadata.annotations?.[ROTATE_REQUESTED_AT_ANNOTATION],
    everyDays: spec.rotation?.everyDays,
    delivery: deliveredId(held.delivery),
    currentRecord: recordId(held.currentRecord),
    previousRecord: recordId(held.previousRecord),
  };
}

function deliveredId(state: DeliverySecretState): HeldValue {
  if (state.kind !== "ours") return state;
  const value = state.value;
  const tokenId =
    value !== undefined && isWellFormedToken(value) ? tokenIdFromHash(hashToken(value)) : undefined;
  return { kind: "ours", tokenId };
}

function recordId(state: RecordState): HeldValue {
  return state.kind === "ours" ? { kind: "ours", tokenId: tokenIdFromHash(state.hash) } : state;
}
