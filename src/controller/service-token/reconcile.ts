// src/controller/service-token/: the ServiceToken reconciler (value, Secrets, status).
// Reconciles one ServiceToken: finalizer and owner, the token value (generated once, kept),
// its hash record and delivery Secret, status and Events. Level-based: reads the caches and
// converges; never branches on what event brought it here.
import type { Logger } from "pino";
import {
  CONDITION_READY,
  ReadyReason,
  ServiceTokenPhase,
  parseServiceToken,
  type ServiceToken,
  type ServiceUser,
} from "../../api/index.ts";
import { readTrustedHashRecord } from "../../domain/hash-record.ts";
import { serviceUserUsername } from "../../domain/identity.ts";
import { expiresInDisplay, tokenPhase } from "../../domain/token-lifecycle.ts";
import { splitKey } from "../../k8s/object.ts";
import { SECRETS } from "../../k8s/paths.ts";
import { SERVICE_TOKENS } from "../../api/index.ts";
import type { ReadyVerdict } from "../conditions.ts";
import type { ControllerContext } from "../context.ts";
import { EventReason } from "../events.ts";
import type { ProcessResult } from "../runtime/work-queue.ts";
import { statusMergePatch } from "../status-patch.ts";
import { parseOrReportInvalid } from "../invalid-spec.ts";
import { deleteObject, mergePatch } from "../writes.ts";
import { desiredTokenStatus, missingUser, ownerUserUid, phaseVerdict } from "./desired.ts";
import { ensureTokenMetadata, removeTokenFinalizer } from "./metadata.ts";
import { ensureTokenValue, type TokenValueOutcome } from "./value.ts";
import { advanceRotation } from "./rotation.ts";
import { lookupServiceUser } from "../service-user/lookup.ts";

/** Status fields the controller owns; `lastUsedAt` belongs to the webhook. */
const OWNED_STATUS_FIELDS = [
  "phase",
  "tokenId",
  "username",
  "secretName",
  "createdAt",
  "currentValueCreatedAt",
  "expiresAt",
  "serviceUserUid",
  "expiresIn",
  "audiencesDisplay",
  "revokedAt",
  "conditions",
  "observedGeneration",
] as const;

/** Reconciles the ServiceToken at `key` (`namespace/name`). */
export async function reconcileServiceToken(
  ctx: ControllerContext,
  key: string,
): Promise<ProcessResult> {
  // Our own last write of it when the cache has not caught up yet: no write is repeated.
  const raw = ctx.caches.token(key);
  if (!raw) {
    await deleteOrphanRecords(ctx, key, undefined);
    return {};
  }
  const { namespace, name } = splitKey(key);
  const log = ctx.log.child({ kind: "ServiceToken", namespace, name });
  let token: ServiceToken = await parseOrReportInvalid(ctx, SERVICE_TOKENS, raw, parseServiceToken);
  if (token.metadata.deletionTimestamp) {
    await deleteOrphanRecords(ctx, key, undefined);
    await removeTokenFinalizer(ctx, token);
    log.info("hash record removed; finalizer released");
    return {};
  }
  await deleteOrphanRecords(ctx, key, token.metadata.uid);

  const user = lookupServiceUser(ctx, token.spec.serviceUser);
  const ownerUid = ownerUserUid(token);
  token = remembered(ctx, token, await ensureTokenMetadata(ctx, token, user));
  const now = new Date(ctx.clock.now());
  const rotation = await advanceRotation(ctx, token, now, log);
  if (rotation.kind === "wait") return { requeueAfterMs: rotation.requeueAfterMs };
  token = rotation.token;
  const ensured = await ensureTokenValue(ctx, token, user, ownerUid, now, log);
  token = remembered(ctx, token, ensured.token);
  const outcome = ensured.outcome;
  const phase = outcome.generated
    ? tokenPhase(token.spec.revoked, outcome.expiresAt, now)
    : undefined;
  const verdict = tokenVerdict(token, user, outcome, phase);
  const status = desiredTokenStatus({
    token,
    phase,
    // Not generated (waiting, conflict): keep what is pinned, so nothing is pinned twice.
    tokenId: outcome.generated ? outcome.tokenId : token.status?.tokenId,
    username: serviceUserUsername(token.spec.serviceUser),
    secretName: outcome.generated ? outcome.secretName : undefined,
    createdAt: outcome.generated ? outcome.createdAt : pinnedCreatedAt(token),
    expiresAt: outcome.generated ? outcome.expiresAt : undefined,
    serviceUserUid: outcome.generated ? outcome.serviceUserUid : token.status?.serviceUserUid,
    verdict,
    now,
  });
  const patch = statusMergePatch(token.status, status, OWNED_STATUS_FIELDS);
  if (patch) {
    const written = await mergePatch(
      ctx,
      SERVICE_TOKENS,
      { namespace, name, subresource: "status" },
      { status: patch },
    );
    ctx.caches.tokenWrites.remember(written);
    await reportTransition(ctx, token, phase, log);
    await reportNewProblem(ctx, token, verdict);
  }
  const lookAt = nextLook(ctx, outcome, phase, now);
  const rotationAt = rotation.nextLookAt?.getTime() ?? Infinity;
  return { requeueAfterMs: Math.max(0, Math.min(lookAt, rotationAt - now.getTime())) };
}

/** `after`, remembered as our latest write of the token when a write produced it. */
function remembered(
  ctx: ControllerContext,
  before: ServiceToken,
  after: ServiceToken,
): ServiceToken {
  if (after !== before) ctx.caches.tokenWrites.remember(after);
  return after;
}

function tokenVerdict(
  token: ServiceToken,
  user: ServiceUser | undefined,
  outcome: TokenValueOutcome,
  phase: ServiceTokenPhase | undefined,
): ReadyVerdict {
  if (!outcome.generated) return outcome.verdict;
  if (outcome.verdict) return outcome.verdict;
  if (!user) return missingUser(token);
  if (!user.spec.active && phase === ServiceTokenPhase.Active) {
    return {
      ready: false,
      reason: ReadyReason.ServiceUserDeactivated,
      message: `ServiceUser ${user.metadata.name} is deactivated: its tokens do not authenticate.`,
    };
  }
  return phaseVerdict(phase ?? ServiceTokenPhase.Active);
}

/** status.createdAt as a Date (kept while nothing is generated, e.g. during a conflict). */
function pinnedCreatedAt(token: ServiceToken): Date | undefined {
  const text = token.status?.createdAt;
  return text === undefined ? undefined : new Date(text);
}

/**
 * When to look again: when EXPIRES (status.expiresIn) next changes, at most daily and last at
 * expiry, if that comes before the resync.
 */
function nextLook(
  ctx: ControllerContext,
  outcome: TokenValueOutcome,
  phase: ServiceTokenPhase | undefined,
  now: Date,
): number {
  if (!outcome.generated || phase === ServiceTokenPhase.Expired) return ctx.resyncMs;
  const next = expiresInDisplay(outcome.expiresAt, now).nextChangeAt;
  if (!next) return ctx.resyncMs;
  return Math.max(0, Math.min(ctx.resyncMs, next.getTime() - now.getTime()));
}

async function reportTransition(
  ctx: ControllerContext,
  token: ServiceToken,
  phase: ServiceTokenPhase | undefined,
  log: Logger,
): Promise<void> {
  const before = token.status?.phase;
  if (!phase || before === phase || before === undefined) return;
  const notes: Partial<Record<ServiceTokenPhase, [EventReason, string]>> = {
    [ServiceTokenPhase.Revoked]: [
      EventReason.Revoked,
      "Token revoked: it no longer authenticates.",
    ],
    [ServiceTokenPhase.Expired]: [
      EventReason.Expired,
      "Token expired: it no longer authenticates.",
    ],
    [ServiceTokenPhase.Active]: [EventReason.Restored, "Token restored: it authenticates again."],
  };
  const note = notes[phase];
  if (!note) return;
  log.info({ from: before, to: phase }, note[1]);
  await ctx.events.record(token, note[0], note[1]);
}

/** Problems worth a Warning Event on the token, once when they start. */
const WARNED_REASONS: Partial<Record<string, EventReason>> = {
  [ReadyReason.SecretConflict]: EventReason.SecretConflict,
  [ReadyReason.ServiceUserNotFound]: EventReason.ServiceUserNotFound,
  [ReadyReason.ServiceUserDeactivated]: EventReason.ServiceUserDeactivated,
};

/** A Warning Event when the token starts waiting for its user or finds its Secret name taken. */
async function reportNewProblem(
  ctx: ControllerContext,
  token: ServiceToken,
  verdict: ReadyVerdict,
): Promise<void> {
  const before = token.status?.conditions?.find((c) => c.type === CONDITION_READY)?.reason;
  const eventReason = WARNED_REASONS[verdict.reason];
  if (eventReason === undefined || before === verdict.reason) return;
  await ctx.events.record(token, eventReason, verdict.message, "Warning");
}

/** Deletes hash records left by a token that is gone (or by an older token of the same name). */
async function deleteOrphanRecords(
  ctx: ControllerContext,
  key: string,
  keepUid: string | undefined,
): Promise<void> {
  for (const recordName of ctx.caches.recordsByToken.get(key)) {
    const secret = ctx.caches.hashRecords.get(recordName);
    // Only records the controller wrote: a planted Secret is never touched.
    const record = secret && readTrustedHashRecord(secret);
    if (!record || (keepUid !== undefined && record.tokenUid === keepUid)) continue;
    await deleteObject(ctx, SECRETS, ctx.operatorNamespace, recordName);
  }
}
