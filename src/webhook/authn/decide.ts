// src/webhook/authn/: token authentication (/authenticate, /verify), last-used.
// Who a presented token is: the pure decision behind /authenticate and /verify. It reads only
// the cached facts and the clock, so a request never waits on the API server.
import { API_GROUP, type ServiceToken } from "../../api/index.ts";
import { isLivePreviousValue, overlapMs } from "../../domain/rotation.ts";
import { hashToken, isWellFormedToken } from "../../tokens/index.ts";
import type { CachedHashRecord, ClusterFacts } from "../cache/facts.ts";
import { ExpiryMemo } from "./expiry-memo.ts";
import { IdentityMemo } from "./identity-memo.ts";
import { SuccessMemo } from "./success-memo.ts";
import type { KeptVerdict } from "./verdict-cache.ts";

/** Expiry per cached token object, shared by every decision (expiry-memo.ts). */
const expiry = new ExpiryMemo();
/** Username, uid and groups per cached ServiceUser object (identity-memo.ts). */
const identities = new IdentityMemo();
/** Successes asked without audiences, per cached ServiceToken object (success-memo.ts). */
const successes = new SuccessMemo<AuthenticationDecision>();

/** Why a token did not authenticate; a metrics label and a log field, never sent to clients. */
export type AuthenticationFailure =
  /** Not svctokens-shaped (prefix, length, alphabet or checksum): dropped before any lookup. */
  | "malformed"
  /** No hash record holds its hash. */
  | "unknown"
  /** More than one trusted record, each pinned by its token, holds the hash: refuse, not guess. */
  | "ambiguous"
  /**
   * No record holding the hash is pinned by a live ServiceToken: the token is gone or was
   * replaced (uid differs), or its status.tokenId / spec.tokenHash names another value.
   */
  | "stale"
  /** The ServiceToken is being deleted. */
  | "deleting"
  | "revoked"
  | "expired"
  /** The ServiceUser the token belongs to does not exist. */
  | "user-missing"
  /**
   * A ServiceUser of that name exists, but not the one the token was generated for (deleted
   * and recreated: another uid), or the token has no pinned ServiceUser uid.
   */
  | "user-replaced"
  /** The ServiceUser is deactivated (spec.active: false). */
  | "user-inactive"
  /** The token is restricted to audiences the request did not ask for. */
  | "audience";

/** The identity a token authenticates as (TokenReview `status.user`). */
export interface AuthenticatedUser {
  username: string;
  /** metadata.uid of the ServiceUser. */
  uid: string;
  /** Shared by every success of the user's tokens: read only. */
  groups: readonly string[];
  extra: Record<string, string[]>;
}

/** Which token a decision is about, when it got that far; safe to log. */
export interface TokenRef {
  tokenId: string;
  /** `namespace/name` of the ServiceToken. */
  tokenKey: string;
  serviceUser: string;
}

export type AuthenticationDecision =
  | ({ authenticated: false; reason: AuthenticationFailure } & Partial<TokenRef>)
  | ({
      authenticated: true;
      user: AuthenticatedUser;
      /** TokenReview `status.audiences`: what the request asked for that the token allows. */
      audiences: string[];
    } & TokenRef);

/** A decision that authenticated. */
export type AuthenticationSuccess = Extract<AuthenticationDecision, { authenticated: true }>;

/** Keys of `user.extra` that say which token was used. */
export const EXTRA_TOKEN_ID = `${API_GROUP}/token-id`;
export const EXTRA_TOKEN_NAME = `${API_GROUP}/token-name`;
export const EXTRA_TOKEN_NAMESPACE = `${API_GROUP}/token-namespace`;
/** KEP-4193's key, as kube-apiserver fills it for ServiceAccount tokens (`JTI=…`) and certificates. */
export const EXTRA_CREDENTIAL_ID = "authentication.kubernetes.io/credential-id";

/** The KEP-4193 credential id of a token: `svctokens-token-id=<token id>` (decision 39). */
export function credentialId(tokenId: string): string {
  return `svctokens-token-id=${tokenId}`;
}

/** Filled in by a decision served from the verdict cache: the kept entry (verdict-cache.ts). */
export interface KeptSlot {
  kept: KeptVerdict | undefined;
}

/**
 * Decides whether `presentedToken` authenticates at `now` for a request that asks for
 * `requestedAudiences` (empty: none asked, i.e. the API server's own audience). A success
 * served from the verdict cache is named in `slot`, so that its use can be counted there.
 */
export function decideAuthentication(
  presentedToken: string,
  requestedAudiences: readonly string[],
  facts: ClusterFacts,
  now: Date,
  slot?: KeptSlot,
): AuthenticationDecision {
  if (!isWellFormedToken(presentedToken)) return { authenticated: false, reason: "malformed" };
  const hash = hashToken(presentedToken);
  const { verdicts } = facts;
  const plain = requestedAudiences.length === 0;
  const nowMs = now.getTime();
  const kept = plain ? verdicts?.get(hash, nowMs) : undefined;
  if (kept !== undefined) {
    if (slot !== undefined) slot.kept = kept;
    return kept.success;
  }
  const keep: Keepable = { untilMs: undefined };
  const decision = decideRecords(facts.recordsByHash(hash), requestedAudiences, facts, now, keep);
  if (decision.authenticated && keep.untilMs !== undefined) {
    verdicts?.set(hash, decision, keep.untilMs);
  }
  return decision;
}

/** Filled in by a success that may be kept by hash (verdict-cache.ts): until when. */
interface Keepable {
  untilMs: number | undefined;
}

/**
 * The decision once the hash records of a token are found (by hash here, by token id for
 * /authorize): the same checks, so both endpoints agree on what is still valid.
 */
export function decideRecords(
  candidates: readonly CachedHashRecord[],
  requestedAudiences: readonly string[],
  facts: ClusterFacts,
  now: Date,
  keep?: Keepable,
): AuthenticationDecision {
  const [first] = candidates;
  if (first === undefined) return { authenticated: false, reason: "unknown" };
  // The common case, one record, needs no match object.
  const match =
    candidates.length === 1 ? pinnedSingle(first, facts, now) : pinnedMatch(candidates, facts, now);
  if (match === undefined) {
    const tokenKey = keyOf(first);
    return { authenticated: false, reason: "stale", tokenId: first.tokenId, tokenKey };
  }
  if (match === "ambiguous") return { authenticated: false, reason: "ambiguous" };

  const { record, token } = match;
  const { spec } = token;
  if (token.metadata.deletionTimestamp !== undefined)
    return refusal("deleting", record, spec.serviceUser);
  // spec.revoked, not status: revocation applies before the controller has seen it.
  if (spec.revoked) return refusal("revoked", record, spec.serviceUser);
  // Expiry from the token alone: status.createdAt, pinned with status.tokenId before the value
  // existed. Without it (a status written by hand), the earliest instant possible — the
  // token's creation — is taken; the record's created-at is never read.
  const expiresAtMs = expiry.expiresAtMs(token, now);
  if (expiresAtMs !== undefined && now.getTime() >= expiresAtMs)
    return refusal("expired", record, spec.serviceUser);

  const user = facts.serviceUser(spec.serviceUser);
  if (user === undefined) return refusal("user-missing", record, spec.serviceUser);
  const pinnedUserUid = token.status?.serviceUserUid ?? record.serviceUserUid;
  if (pinnedUserUid === undefined || pinnedUserUid !== user.metadata.uid) {
    return refusal("user-replaced", record, spec.serviceUser);
  }
  if (!user.spec.active) return refusal("user-inactive", record, spec.serviceUser);

  const audiences = grantedAudiences(spec.audiences, requestedAudiences);
  if (audiences === undefined) return refusal("audience", record, spec.serviceUser);

  // Username and groups come from the spec, so a role change applies to the next request (the
  // memo compares the fields they are made from).
  const identity = identities.identityOf(user);
  // Without audiences asked, a success depends only on these: the same one, frozen, is reused.
  const plain = requestedAudiences.length === 0;
  noteKeepable(keep, plain, candidates, record, token, expiresAtMs);
  const known = plain ? successes.get(token, record, spec.serviceUser, identity) : undefined;
  if (known !== undefined) return known;
  // Built field by field (no spread of a reference object).
  const success: AuthenticationSuccess = {
    authenticated: true,
    user: {
      username: identity.username,
      uid: identity.uid,
      groups: identity.groups,
      extra: {
        [EXTRA_TOKEN_ID]: [record.tokenId],
        [EXTRA_TOKEN_NAME]: [record.tokenName],
        [EXTRA_TOKEN_NAMESPACE]: [record.tokenNamespace],
        [EXTRA_CREDENTIAL_ID]: [credentialId(record.tokenId)],
      },
    },
    audiences,
    tokenId: record.tokenId,
    tokenKey: keyOf(record),
    serviceUser: spec.serviceUser,
  };
  if (plain) successes.set(token, record, spec.serviceUser, identity, freezeSuccess(success));
  return success;
}

/**
 * Tells `keep` (when asked) until when this success may be kept by hash (verdict-cache.ts): no
 * audiences asked, one record, the token's current value (a previous one ends with the overlap,
 * by the clock), and an expiry that does not depend on the clock (status.createdAt a valid
 * time; expiry-memo.ts): Infinity for never. Left undefined: not kept.
 */
function noteKeepable(
  keep: Keepable | undefined,
  plain: boolean,
  candidates: readonly CachedHashRecord[],
  record: CachedHashRecord,
  token: ServiceToken,
  expiresAtMs: number | undefined,
): void {
  if (!keep || !plain || candidates.length !== 1) return;
  const { status } = token;
  if (status?.tokenId !== record.tokenId) return;
  const createdAt = status.createdAt;
  if (createdAt === undefined || Number.isNaN(Date.parse(createdAt))) return;
  keep.untilMs = expiresAtMs ?? Number.POSITIVE_INFINITY;
}

/** `namespace/name` of the record's token: built only for an answer that carries it. */
function keyOf(record: CachedHashRecord): string {
  return `${record.tokenNamespace}/${record.tokenName}`;
}

/**
 * Freezes a success and everything in it, part by part (its shape is known: no walk over its
 * values on a token's first request): a kept success is read, never changed. The groups are
 * the identity's, frozen already.
 */
function freezeSuccess<T extends AuthenticationSuccess>(success: T): T {
  const { user } = success;
  for (const values of Object.values(user.extra)) Object.freeze(values);
  Object.freeze(user.extra);
  Object.freeze(user.groups);
  Object.freeze(user);
  Object.freeze(success.audiences);
  return Object.freeze(success);
}

function refusal(
  reason: AuthenticationFailure,
  record: CachedHashRecord,
  serviceUser: string,
): AuthenticationDecision {
  return {
    authenticated: false,
    reason,
    tokenId: record.tokenId,
    tokenKey: keyOf(record),
    serviceUser,
  };
}

/** `pinnedMatch` of one record. */
function pinnedSingle(
  record: CachedHashRecord,
  facts: ClusterFacts,
  now: Date,
): { record: CachedHashRecord; token: ServiceToken } | undefined {
  const token = pinningToken(record, facts, now);
  return token === undefined ? undefined : { record, token };
}

/**
 * The record and token of the one ServiceToken pinning any of `candidates`; "ambiguous" when
 * several tokens do. Only records their token pins count: a planted copy of a hash is ignored,
 * not ambiguous. A token's current and previous records may briefly hold the same value
 * mid-rotation: one token is one match.
 */
function pinnedMatch(
  candidates: readonly CachedHashRecord[],
  facts: ClusterFacts,
  now: Date,
): { record: CachedHashRecord; token: ServiceToken } | "ambiguous" | undefined {
  let match: { record: CachedHashRecord; token: ServiceToken } | undefined;
  for (const record of candidates) {
    const token = pinningToken(record, facts, now);
    if (token === undefined) continue;
    if (match === undefined) match = { record, token };
    else if (token.metadata.uid !== match.token.metadata.uid) return "ambiguous";
  }
  return match;
}

/**
 * The ServiceToken that pins `record`, if any: the record's token exists with the record's uid,
 * and either its status.tokenId (written by the controller before the value existed) names the
 * record's hash, or its status.previousTokenId does and `now` is inside the overlap (fail
 * closed: expiry by the webhook's own clock, whether or not the record was deleted yet).
 * A client-generated token's current pin also needs spec.tokenHash to be that hash — unless an
 * Admin just changed the hash with an overlap, and the controller has yet to move the pin.
 */
function pinningToken(
  record: CachedHashRecord,
  facts: ClusterFacts,
  now: Date,
): ServiceToken | undefined {
  const token = facts.serviceToken(record.tokenNamespace, record.tokenName);
  if (token === undefined || token.metadata.uid !== record.tokenUid) return undefined;
  if (isLivePreviousValue(token.status, record.tokenId, now)) return token;
  if (token.status?.tokenId !== record.tokenId) return undefined;
  const { tokenHash } = token.spec;
  if (tokenHash !== undefined && tokenHash !== record.hash && overlapMs(token) === 0)
    return undefined;
  return token;
}

/**
 * TokenReview v1 audience rules: `status.audiences` is the intersection of the requested
 * audiences and the token's. A token without audiences accepts any, so every requested one is
 * granted; when none were requested the answer is empty, which means "valid for the API
 * server's audience". A restricted token needs at least one of its audiences asked for.
 * Undefined: not authenticated.
 */
export function grantedAudiences(
  tokenAudiences: readonly string[] | undefined,
  requested: readonly string[],
): string[] | undefined {
  // The common request asks for nothing: no Set, no copies.
  if (requested.length === 0) return tokenAudiences === undefined ? [] : undefined;
  const asked = [...new Set(requested)];
  if (tokenAudiences === undefined) return asked;
  const granted = asked.filter((audience) => tokenAudiences.includes(audience));
  return granted.length > 0 ? granted : undefined;
}
