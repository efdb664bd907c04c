// Rotation with overlap, the I/O shell around decideRotation (rotation-plan.ts). Runs before the
// value's own reconcile (value.ts); when it writes, the reconcile stops there and runs again on
// fresh caches. Every status write carries the token's resourceVersion: a decision taken on a
// stale token fails with a conflict instead of rotating twice.
import type { Logger } from "pino";
import { parseServiceToken, SERVICE_TOKENS, type ServiceToken } from "../../api/index.ts";
import {
  desiredHashRecord,
  hashRecordName,
  previousHashRecordName,
} from "../../domain/hash-record.ts";
import { serviceUserUsername } from "../../domain/identity.ts";
import { tokenExpiresAt } from "../../domain/token-lifecycle.ts";
import type { KubeObject } from "../../k8s/object.ts";
import { SECRETS } from "../../k8s/paths.ts";
import { generateToken, hashToken, tokenIdFromHash, type TokenHash } from "../../tokens/index.ts";
import type { ControllerContext } from "../context.ts";
import { EventReason } from "../events.ts";
import { applySecret, createObject, deleteObject, mergePatch, readObject } from "../writes.ts";
import {
  deliverySecretName,
  deliverySecretState,
  desiredDeliverySecret,
  recordState,
  type DeliverySecretState,
  type RecordState,
} from "./desired.ts";
import { rotationFacts, type Held } from "./rotation-facts.ts";
import { decideRotation, nextRotationAt, rotationPin, type RotationStep } from "./rotation-plan.ts";

/** Go on with the value's reconcile (with this token), or stop and look again shortly. */
export type RotationOutcome =
  | { kind: "continue"; token: ServiceToken; nextLookAt: Date | undefined }
  | { kind: "wait"; requeueAfterMs: number };

/** After a write: the caches see it within a moment, and the write's own event runs us too. */
const AFTER_WRITE_MS = 1000;

/** Takes the next rotation step of `token`, if any. */
export async function advanceRotation(
  ctx: ControllerContext,
  token: ServiceToken,
  now: Date,
  log: Logger,
): Promise<RotationOutcome> {
  const held = cachedHeld(ctx, token);
  const facts = rotationFacts(token, held, now);
  const pinned = token.status?.tokenId;
  const holderId = facts.clientTokenId === undefined ? facts.delivery : facts.currentRecord;
  if (pinned !== undefined && holderId.kind === "ours" && holderId.tokenId !== pinned) {
    // Mid-rotation, or the caches lag our own last writes: decide only on what is current.
    if (await cachesBehind(ctx, token, held))
      return { kind: "wait", requeueAfterMs: AFTER_WRITE_MS };
  }
  const step = decideRotation(facts);
  const continued = (): RotationOutcome => ({
    kind: "continue",
    token,
    nextLookAt: nextRotationAt(facts),
  });
  switch (step.kind) {
    case "none":
      return continued();
    case "blocked":
      log.warn(
        { secretName: previousHashRecordName(token.metadata.uid ?? "") },
        "rotation blocked: a foreign Secret holds the previous record's name",
      );
      return continued();
    case "clean":
      await deleteObject(
        ctx,
        SECRETS,
        ctx.operatorNamespace,
        previousHashRecordName(token.metadata.uid ?? ""),
      );
      return { kind: "wait", requeueAfterMs: AFTER_WRITE_MS };
    case "retire":
      await retirePrevious(ctx, token, held, step.tokenId, log);
      return { kind: "wait", requeueAfterMs: AFTER_WRITE_MS };
    case "start":
    case "resume":
      await moveValue(ctx, token, held, step, now, log);
      return { kind: "wait", requeueAfterMs: AFTER_WRITE_MS };
  }
}

function cachedHeld(ctx: ControllerContext, token: ServiceToken): Held {
  const uid = token.metadata.uid ?? "";
  const record = (name: string): RecordState => recordState(ctx.caches.hashRecords.get(name), uid);
  const delivery: DeliverySecretState = token.spec.tokenHash
    ? { kind: "missing" }
    : deliverySecretState(
        ctx.caches.deliverySecrets.get(`${token.metadata.namespace}/${deliverySecretName(token)}`),
        uid,
      );
  return {
    delivery,
    currentRecord: record(hashRecordName(uid)),
    previousRecord: record(previousHashRecordName(uid)),
  };
}

/** Whether the API server holds a newer token or value holder than the caches do. */
async function cachesBehind(
  ctx: ControllerContext,
  token: ServiceToken,
  held: Held,
): Promise<boolean> {
  const { namespace, name } = token.metadata;
  const fresh = await readObject(ctx, SERVICE_TOKENS, namespace, name);
  if (fresh?.metadata?.resourceVersion !== token.metadata.resourceVersion) return true;
  const holder = token.spec.tokenHash
    ? await readObject(
        ctx,
        SECRETS,
        ctx.operatorNamespace,
        hashRecordName(token.metadata.uid ?? ""),
      )
    : await readObject(ctx, SECRETS, namespace, deliverySecretName(token));
  const cached = token.spec.tokenHash
    ? held.currentRecord.secret?.metadata?.resourceVersion
    : held.delivery.kind === "ours"
      ? held.delivery.resourceVersion
      : undefined;
  return holder?.metadata?.resourceVersion !== cached;
}

/**
 * Start or finish a rotation: pin (status), previous record, current record, delivery Secret —
 * in that order, so the value a reader finds in the delivery Secret always authenticates.
 */
async function moveValue(
  ctx: ControllerContext,
  token: ServiceToken,
  held: Held,
  step: Extract<RotationStep, { kind: "start" | "resume" }>,
  now: Date,
  log: Logger,
): Promise<void> {
  const status = token.status ?? {};
  const value = token.spec.tokenHash === undefined ? generateToken() : undefined;
  const newHash = value === undefined ? (token.spec.tokenHash as TokenHash) : hashToken(value);
  const newId = tokenIdFromHash(newHash);
  const oldHash = outgoingHash(held, step.kind);
  const oldId = tokenIdFromHash(oldHash);
  const pin = rotationPin(step, token, { newId, oldId, now });
  const { namespace, name } = token.metadata;
  const pinned = parseServiceToken(
    await mergePatch(
      ctx,
      SERVICE_TOKENS,
      { namespace, name, subresource: "status" },
      {
        metadata: { resourceVersion: token.metadata.resourceVersion },
        status: pin,
      },
    ),
  );
  const uid = token.metadata.uid ?? "";
  const createdAt = new Date(status.createdAt ?? now.toISOString());
  const expiresAt = tokenExpiresAt(createdAt, token.spec.expiresInDays);
  const record = (hash: TokenHash, slot: "current" | "previous"): KubeObject =>
    desiredHashRecord({
      operatorNamespace: ctx.operatorNamespace,
      token: { namespace: namespace ?? "", name, uid },
      serviceUserUid: status.serviceUserUid ?? held.currentRecord.record?.serviceUserUid ?? "",
      hash,
      createdAt,
      expiresAt,
      slot,
    });
  if (held.previousRecord.kind !== "ours" || held.previousRecord.hash !== oldHash)
    await writeRecord(ctx, record(oldHash, "previous"), held.previousRecord);
  await writeRecord(ctx, record(newHash, "current"), held.currentRecord);
  if (value !== undefined && held.delivery.kind === "ours") {
    const wanted = desiredDeliverySecret(pinned, {
      value,
      username: serviceUserUsername(token.spec.serviceUser),
      tokenId: newId,
      expiresAt,
    });
    await applySecret(ctx, withVersion(wanted, held.delivery.resourceVersion));
  }
  const retired = step.kind === "start" ? step.retiresOldest : undefined;
  if (retired !== undefined) {
    await ctx.events.record(
      pinned,
      EventReason.PreviousValueRetired,
      `Token ${retired} no longer authenticates: a second rotation inside the overlap retired it.`,
    );
  }
  const until = pinned.status?.previousValueExpiresAt ?? "";
  const why = step.kind === "start" ? step.trigger : "resumed";
  log.info({ tokenId: newId, previousTokenId: oldId, why }, "token rotated");
  await ctx.events.record(
    pinned,
    EventReason.Rotated,
    `Token rotated (${why}): new token ${newId}; the previous token ${oldId} authenticates until ${until}.`,
  );
}

/** The hash of the value being rotated out: the current one, or (resuming) the delivered one. */
function outgoingHash(held: Held, kind: "start" | "resume"): TokenHash {
  const delivered = held.delivery.kind === "ours" ? held.delivery.value : undefined;
  if (kind === "resume" && delivered !== undefined) return hashToken(delivered);
  if (held.currentRecord.kind !== "ours") throw new Error("rotation without a current record");
  return held.currentRecord.hash;
}

/** Deletes the previous record, then the pin: a crash between leaves a pin with no record. */
async function retirePrevious(
  ctx: ControllerContext,
  token: ServiceToken,
  held: Held,
  tokenId: string,
  log: Logger,
): Promise<void> {
  const { namespace, name, uid } = token.metadata;
  if (held.previousRecord.kind === "ours")
    await deleteObject(ctx, SECRETS, ctx.operatorNamespace, previousHashRecordName(uid ?? ""));
  const updated = await mergePatch(
    ctx,
    SERVICE_TOKENS,
    { namespace, name, subresource: "status" },
    {
      metadata: { resourceVersion: token.metadata.resourceVersion },
      status: { previousTokenId: null, previousValueExpiresAt: null },
    },
  );
  log.info({ previousTokenId: tokenId }, "previous token value retired");
  await ctx.events.record(
    parseServiceToken(updated),
    EventReason.PreviousValueRetired,
    `The overlap is over: the previous token ${tokenId} no longer authenticates.`,
  );
}

/** Creates a record at a free name, or replaces our own (never a foreign Secret). */
async function writeRecord(
  ctx: ControllerContext,
  desired: KubeObject,
  held: RecordState,
): Promise<void> {
  if (held.kind === "foreign") throw new Error(`${desired.metadata?.name ?? ""} is not ours`);
  if (held.kind === "missing") await createObject(ctx, SECRETS, desired);
  else await applySecret(ctx, withVersion(desired, held.secret?.metadata?.resourceVersion));
}

function withVersion(secret: KubeObject, resourceVersion: string | undefined): KubeObject {
  return {
    ...secret,
    metadata: { ...secret.metadata, ...(resourceVersion ? { resourceVersion } : {}) },
  };
}
