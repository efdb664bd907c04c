// The token value: generated once and kept. The delivery Secret is where a generated value
// lives; the hash record always follows it. Writing the Secret first makes every crash point
// recoverable: a Secret without a record is adopted, a record without a Secret means the value
// was lost (or the Secret deleted), and a new one is generated.
import type { Logger } from "pino";
import {
  ReadyReason,
  ServiceTokenPhase,
  type ServiceToken,
  type ServiceUser,
} from "../../api/index.ts";
import {
  desiredHashRecord,
  readHashRecord,
  hashRecordName,
  type HashRecord,
} from "../../domain/hash-record.ts";
import { serviceUserUsername } from "../../domain/identity.ts";
import { tokenExpiresAt, tokenPhase } from "../../domain/token-lifecycle.ts";
import { isAlreadyExists } from "../../k8s/errors.ts";
import type { KubeObject } from "../../k8s/object.ts";
import { SECRETS } from "../../k8s/paths.ts";
import {
  generateToken,
  hashToken,
  isWellFormedToken,
  tokenIdFromHash,
  type TokenHash,
} from "../../tokens/index.ts";
import type { ReadyVerdict } from "../conditions.ts";
import type { ControllerContext } from "../context.ts";
import { EventReason } from "../events.ts";
import { applySecret, createObject, readObject } from "../writes.ts";
import {
  deliverySecretName,
  missingUser,
  deliverySecretState,
  desiredDeliverySecret,
  type DeliverySecretState,
} from "./desired.ts";
import { isDeepStrictEqual } from "node:util";

/** What the token's value looks like after this reconcile. */
export type TokenValueOutcome =
  | {
      generated: true;
      tokenId: string;
      createdAt: Date;
      expiresAt: Date | undefined;
      /** The delivery Secret; undefined for a client-generated token (spec.tokenHash). */
      secretName: string | undefined;
    }
  | { generated: false; verdict: ReadyVerdict };

/** Second precision, as status timestamps have: expiry computed from either agrees exactly. */
const wholeSeconds = (date: Date): Date => new Date(Math.floor(date.getTime() / 1000) * 1000);

/** Ensures the value, its delivery Secret (if any) and its hash record exist and agree. */
export async function ensureTokenValue(
  ctx: ControllerContext,
  token: ServiceToken,
  user: ServiceUser | undefined,
  now: Date,
  log: Logger,
): Promise<TokenValueOutcome> {
  const uid = token.metadata.uid ?? "";
  const recordSecret = ctx.caches.hashRecords.get(
    `${ctx.operatorNamespace}/${hashRecordName(uid)}`,
  );
  const record = recordSecret ? readHashRecord(recordSecret) : undefined;
  if (!record) {
    // Nothing generated yet: only an existing, active ServiceUser gets a first value.
    if (!user) return { generated: false, verdict: missingUser(token) };
    if (!user.spec.active) {
      return {
        generated: false,
        verdict: {
          ready: false,
          reason: ReadyReason.ServiceUserDeactivated,
          message: `ServiceUser ${user.metadata.name} is deactivated: no token is generated until it is reactivated.`,
        },
      };
    }
  }
  const createdAt = record?.createdAt ?? wholeSeconds(now);
  const expiresAt = record ? record.expiresAt : tokenExpiresAt(createdAt, token.spec.expiresInDays);

  let hash: TokenHash;
  let secretName: string | undefined;
  if (token.spec.tokenHash) {
    hash = token.spec.tokenHash as TokenHash;
  } else {
    secretName = deliverySecretName(token);
    const delivered = await ensureDeliverySecret(ctx, token, record, expiresAt, now, log);
    if (!delivered) {
      return {
        generated: false,
        verdict: {
          ready: false,
          reason: ReadyReason.SecretConflict,
          message: `Secret ${token.metadata.namespace}/${secretName} exists and is not owned by this ServiceToken: delete or rename it, or set spec.secretName on a new ServiceToken.`,
        },
      };
    }
    hash = delivered;
  }

  const desired = desiredHashRecord({
    operatorNamespace: ctx.operatorNamespace,
    token: { namespace: token.metadata.namespace, name: token.metadata.name, uid },
    hash,
    createdAt,
    expiresAt,
  });
  if (!recordSecret || !recordMatches(recordSecret, desired)) {
    await applySecret(ctx, desired);
    if (!record) {
      log.info({ tokenId: tokenIdFromHash(hash) }, "token generated");
      await ctx.events.record(
        token,
        EventReason.Generated,
        `Token ${tokenIdFromHash(hash)} generated.`,
      );
    }
  }
  return { generated: true, tokenId: tokenIdFromHash(hash), createdAt, expiresAt, secretName };
}

function recordMatches(current: KubeObject, desired: KubeObject): boolean {
  return (
    isDeepStrictEqual(current.data, desired.data) &&
    isDeepStrictEqual(current.metadata?.labels, desired.metadata?.labels) &&
    isDeepStrictEqual(current.metadata?.annotations, desired.metadata?.annotations)
  );
}

/**
 * Makes the delivery Secret hold a valid value and returns its hash, or undefined when the
 * name is taken by a Secret we do not own.
 */
async function ensureDeliverySecret(
  ctx: ControllerContext,
  token: ServiceToken,
  record: HashRecord | undefined,
  expiresAt: Date | undefined,
  now: Date,
  log: Logger,
): Promise<TokenHash | undefined> {
  const namespace = token.metadata.namespace;
  const name = deliverySecretName(token);
  const uid = token.metadata.uid ?? "";
  const username = serviceUserUsername(token.spec.serviceUser);
  let state: DeliverySecretState = deliverySecretState(
    ctx.caches.deliverySecrets.get(`${namespace}/${name}`),
    uid,
  );

  // The Secret for a value, and the hash that goes with it.
  const delivery = (value: string): { hash: TokenHash; secret: KubeObject } => {
    const hash = hashToken(value);
    const tokenId = tokenIdFromHash(hash);
    return { hash, secret: desiredDeliverySecret(token, { value, username, tokenId, expiresAt }) };
  };
  const announceRegenerated = async (hash: TokenHash, why: string): Promise<void> => {
    const tokenId = tokenIdFromHash(hash);
    log.warn({ tokenId, previousTokenId: record?.tokenId }, `${why}: token regenerated`);
    await ctx.events.record(
      token,
      EventReason.Regenerated,
      `${why}: new token ${tokenId} generated; the old value no longer authenticates.`,
      "Warning",
    );
  };

  if (state.kind === "missing") {
    // An expired token is never brought back to life, not even with a new value.
    if (record && tokenPhase(token.spec.revoked, expiresAt, now) === ServiceTokenPhase.Expired)
      return record.hash;
    const { hash, secret } = delivery(generateToken());
    try {
      await createObject(ctx, SECRETS, secret);
      if (record) await announceRegenerated(hash, `Delivery Secret ${name} was gone`);
      return hash;
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      // Our cache lags (we created it a moment ago) or someone else's Secret has the name.
      state = deliverySecretState(await readObject(ctx, SECRETS, namespace, name), uid);
    }
  }
  if (state.kind === "foreign") {
    log.warn({ secretName: name }, "delivery Secret name taken by a Secret we do not own");
    return undefined;
  }
  if (state.kind === "missing")
    throw new Error(`Secret ${namespace}/${name} vanished while being read; retrying`);

  // Ours: keep its value (or replace a damaged one) and bring its other keys up to date.
  const kept =
    state.value !== undefined && isWellFormedToken(state.value) ? state.value : undefined;
  const { hash, secret } = delivery(kept ?? generateToken());
  const wanted = (secret.data ?? {}) as Record<string, string>;
  const data = state.data;
  if (Object.entries(wanted).some(([key, encoded]) => data[key] !== encoded)) {
    await applySecret(ctx, secret);
  }
  if (kept === undefined)
    await announceRegenerated(hash, `Delivery Secret ${name} held no valid token`);
  return hash;
}
