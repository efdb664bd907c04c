// Rotation with overlap, as the token's status records it (docs/decisions.md, records 51-53).
// Accessors for the status fields the controller pins, so the webhook and the controller read
// them one way: the current value (status.tokenId) and, for a while after a rotation, the
// previous one (status.previousTokenId until status.previousValueExpiresAt).
import type { ServiceToken, ServiceTokenStatus } from "../api/index.ts";

/** spec.rotation.overlapMinutes when absent (the CRD applies the same default). */
export const DEFAULT_OVERLAP_MINUTES = 60;

const MINUTE_MS = 60 * 1000;

/** The previous value's pin: which value and until when it authenticates. */
export interface PreviousValuePin {
  tokenId: string;
  expiresAt: Date;
}

type RotationStatus = Pick<ServiceTokenStatus, "previousTokenId" | "previousValueExpiresAt">;

/** The previous value's pin, when the status holds a complete one (a half-written one is none). */
export function previousValuePin(status: RotationStatus | undefined): PreviousValuePin | undefined {
  const tokenId = status?.previousTokenId;
  const until = status?.previousValueExpiresAt;
  if (tokenId === undefined || until === undefined) return undefined;
  const expiresAt = new Date(until);
  return Number.isNaN(expiresAt.getTime()) ? undefined : { tokenId, expiresAt };
}

/** Whether `tokenId` is the previous value and still inside its overlap at `now` (fail closed). */
export function isLivePreviousValue(
  status: RotationStatus | undefined,
  tokenId: string,
  now: Date,
): boolean {
  const pin = previousValuePin(status);
  return pin !== undefined && pin.tokenId === tokenId && now.getTime() < pin.expiresAt.getTime();
}

/** How long the previous value stays valid after a rotation, in milliseconds. */
export function overlapMs(token: Pick<ServiceToken, "spec">): number {
  return (token.spec.rotation?.overlapMinutes ?? DEFAULT_OVERLAP_MINUTES) * MINUTE_MS;
}

/** When the current value was generated: status.currentValueCreatedAt, else status.createdAt. */
export function currentValueCreatedAt(
  status: Pick<ServiceTokenStatus, "currentValueCreatedAt" | "createdAt"> | undefined,
): Date | undefined {
  const text = status?.currentValueCreatedAt ?? status?.createdAt;
  if (text === undefined) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
