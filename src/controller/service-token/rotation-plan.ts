// Rotation with overlap, the pure part (docs/decisions.md, records 51-53): from what the token's
// status pins and what its delivery Secret and two hash records hold, the one step the
// controller takes next. The I/O shell (rotation.ts) carries it out.
//
// A value authenticates only while its token pins it — status.tokenId, or status.previousTokenId
// until status.previousValueExpiresAt — and a trusted record holds its hash. The pin moves first
// (one status write: at most two pinned ids, so at most two live values), then the previous
// record, then the current record, then the delivery Secret: whatever the delivery Secret holds
// is pinned and has a record at every point, so a SIGKILL anywhere leaves a reader working.
import {
  ROTATE_REQUESTED_AT_ANNOTATION,
  type ServiceToken,
  type ServiceTokenStatus,
} from "../../api/index.ts";
import { currentValueCreatedAt, overlapMs, previousValuePin } from "../../domain/rotation.ts";
import { rfc3339, truncateToSecond } from "../../k8s/time.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

/** What one of the token's Secrets holds, by token id (foreign: not the controller's). */
export type HeldValue =
  { kind: "missing" } | { kind: "foreign" } | { kind: "ours"; tokenId: string | undefined };

export interface RotationFacts {
  now: Date;
  /** Not revoked, not expired, not being deleted: the only state a rotation starts in. */
  active: boolean;
  /** tokenId of spec.tokenHash (a client-generated token); undefined for a generated one. */
  clientTokenId: string | undefined;
  status: Pick<
    ServiceTokenStatus,
    | "tokenId"
    | "createdAt"
    | "currentValueCreatedAt"
    | "previousTokenId"
    | "previousValueExpiresAt"
    | "lastRotationRequest"
  >;
  /** The annotation svctokens.dev/rotate-requested-at, as written. */
  requestedAt: string | undefined;
  everyDays: number | undefined;
  /** The delivery Secret's value (generated tokens). */
  delivery: HeldValue;
  currentRecord: HeldValue;
  previousRecord: HeldValue;
}

/** Why a rotation starts. */
export type RotationTrigger = "requested" | "schedule" | "client-hash";

export type RotationStep =
  /** Nothing to do here: the value's own reconcile (value.ts) takes it from here. */
  | { kind: "none" }
  /** Pin a new current value, the current one as previous; then write records and delivery. */
  | { kind: "start"; trigger: RotationTrigger; retiresOldest: string | undefined }
  /** A rotation was cut short before its delivery: finish it (a fresh value if generated). */
  | { kind: "resume" }
  /** The overlap is over: delete the previous record, then drop the pin. */
  | { kind: "retire"; tokenId: string }
  /** A previous-value record no pin names (left by an interrupted step): delete it. */
  | { kind: "clean" }
  /** A Secret the controller did not write sits at the previous record's name. */
  | { kind: "blocked" };

const NONE: RotationStep = { kind: "none" };

/** The next rotation step for a token. */
export function decideRotation(facts: RotationFacts): RotationStep {
  const current = facts.status.tokenId;
  if (current === undefined) return NONE;
  const previous = previousValuePin(facts.status);
  const unfinished = unfinishedRotation(facts, current, previous?.tokenId);
  if (unfinished !== undefined) return unfinished;

  if (previous !== undefined && facts.now.getTime() >= previous.expiresAt.getTime())
    return { kind: "retire", tokenId: previous.tokenId };
  if (previous === undefined && facts.previousRecord.kind === "ours") return { kind: "clean" };

  const trigger = rotationTrigger(facts, current);
  if (trigger === undefined || !facts.active) return NONE;
  if (facts.previousRecord.kind === "foreign") return { kind: "blocked" };
  // Settled first: a rotation starts from a current value that is delivered and recorded.
  if (facts.currentRecord.kind !== "ours" || facts.currentRecord.tokenId !== current) return NONE;
  if (facts.clientTokenId === undefined && heldId(facts.delivery) !== current) return NONE;
  return { kind: "start", trigger, retiresOldest: previous?.tokenId };
}

/** A rotation whose pin moved but whose delivery (or client hash record) did not follow. */
function unfinishedRotation(
  facts: RotationFacts,
  current: string,
  previous: string | undefined,
): RotationStep | undefined {
  if (previous === undefined || previous === current) return undefined;
  const stillOld =
    facts.clientTokenId === undefined
      ? heldId(facts.delivery) === previous
      : facts.clientTokenId === current && heldId(facts.currentRecord) === previous;
  if (!stillOld) return undefined;
  const foreign = facts.previousRecord.kind === "foreign" || facts.currentRecord.kind === "foreign";
  return foreign ? { kind: "blocked" } : { kind: "resume" };
}

/** Why the current value should be replaced now, if it should. */
function rotationTrigger(facts: RotationFacts, current: string): RotationTrigger | undefined {
  if (facts.clientTokenId !== undefined) {
    return facts.clientTokenId === current ? undefined : "client-hash";
  }
  const since = currentValueCreatedAt(facts.status);
  if (since === undefined) return undefined;
  if (isNewRequest(facts.requestedAt, facts.status.lastRotationRequest, since)) return "requested";
  if (
    facts.everyDays !== undefined &&
    facts.now.getTime() >= since.getTime() + facts.everyDays * DAY_MS
  )
    return "schedule";
  return undefined;
}

/**
 * A request counts once (lastRotationRequest) and only if not older than the current value: an
 * annotation carried over in a GitOps manifest does not rotate a newly generated value.
 */
export function isNewRequest(
  requestedAt: string | undefined,
  handled: string | undefined,
  currentSince: Date,
): boolean {
  if (requestedAt === undefined || requestedAt === handled) return false;
  const at = new Date(requestedAt);
  return !Number.isNaN(at.getTime()) && at.getTime() >= currentSince.getTime();
}

/** When the rotation needs a look without any change: the overlap's end or the schedule. */
export function nextRotationAt(
  facts: Pick<RotationFacts, "status" | "everyDays" | "clientTokenId">,
): Date | undefined {
  const times: number[] = [];
  const previous = previousValuePin(facts.status);
  if (previous !== undefined) times.push(previous.expiresAt.getTime());
  const since = currentValueCreatedAt(facts.status);
  if (facts.everyDays !== undefined && since !== undefined && facts.clientTokenId === undefined)
    times.push(since.getTime() + facts.everyDays * DAY_MS);
  return times.length === 0 ? undefined : new Date(Math.min(...times));
}

function heldId(held: HeldValue): string | undefined {
  return held.kind === "ours" ? held.tokenId : undefined;
}

/**
 * The status a rotation step pins before its value exists anywhere. Starting: the current value
 * becomes the previous one until now + overlap. Resuming (the delivery never followed): a fresh
 * current value, and the overlap counted again from now, since no reader saw the lost one.
 */
export function rotationPin(
  step: Extract<RotationStep, { kind: "start" | "resume" }>,
  token: Pick<ServiceToken, "spec" | "status" | "metadata">,
  values: { newId: string; oldId: string; now: Date },
): Partial<ServiceTokenStatus> {
  const { newId, oldId, now } = values;
  const status = token.status ?? {};
  const overlapEnd = new Date(truncateToSecond(now.getTime() + overlapMs(token)));
  const moved = { tokenId: newId, currentValueCreatedAt: rfc3339(now) };
  if (step.kind === "resume") {
    const pinnedEnd = previousValuePin(status)?.expiresAt;
    const end = pinnedEnd && pinnedEnd > overlapEnd ? pinnedEnd : overlapEnd;
    return { ...moved, previousValueExpiresAt: rfc3339(end) };
  }
  const request = token.metadata.annotations?.[ROTATE_REQUESTED_AT_ANNOTATION];
  return {
    ...moved,
    previousTokenId: oldId,
    previousValueExpiresAt: rfc3339(overlapEnd),
    rotations: (status.rotations ?? 0) + 1,
    ...(step.trigger === "requested" && request !== undefined
      ? { lastRotationRequest: request }
      : {}),
  };
}
