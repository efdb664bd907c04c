// Who a presented token is: the pure decision behind /authenticate and /verify. It reads only
// the cached facts and the clock, so a request never waits on the API server.
import { API_GROUP } from "../../api/index.ts";
import { serviceUserGroups, serviceUserUsername } from "../../domain/identity.ts";
import { tokenExpiresAt } from "../../domain/token-lifecycle.ts";
import { hashToken, isWellFormedToken } from "../../tokens/index.ts";
import type { ClusterFacts } from "../cache/facts.ts";
import type { HashRecord } from "../../domain/hash-record.ts";

/** Why a token did not authenticate; a metrics label and a log field, never sent to clients. */
export type AuthenticationFailure =
  /** Not svctokens-shaped (prefix, length, alphabet or checksum): dropped before any lookup. */
  | "malformed"
  /** No hash record holds its hash. */
  | "unknown"
  /** More than one record holds the hash: refuse rather than guess whose it is. */
  | "ambiguous"
  /** The record points at a ServiceToken that is gone or was replaced (uid or hash differ). */
  | "stale"
  /** The ServiceToken is being deleted. */
  | "deleting"
  | "revoked"
  | "expired"
  /** The ServiceUser the token belongs to does not exist. */
  | "user-missing"
  /** The ServiceUser is deactivated (spec.active: false). */
  | "user-inactive"
  /** The token is restricted to audiences the request did not ask for. */
  | "audience";

/** The identity a token authenticates as (TokenReview `status.user`). */
export interface AuthenticatedUser {
  username: string;
  /** metadata.uid of the ServiceUser. */
  uid: string;
  groups: string[];
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

/**
 * Decides whether `presentedToken` authenticates at `now` for a request that asks for
 * `requestedAudiences` (empty: none asked, i.e. the API server's own audience).
 */
export function decideAuthentication(
  presentedToken: string,
  requestedAudiences: readonly string[],
  facts: ClusterFacts,
  now: Date,
): AuthenticationDecision {
  if (!isWellFormedToken(presentedToken)) return { authenticated: false, reason: "malformed" };
  return decideRecords(
    facts.recordsByHash(hashToken(presentedToken)),
    requestedAudiences,
    facts,
    now,
  );
}

/**
 * The decision once the hash records of a token are found (by hash here, by token id for
 * /authorize): the same checks, so both endpoints agree on what is still valid.
 */
export function decideRecords(
  records: readonly HashRecord[],
  requestedAudiences: readonly string[],
  facts: ClusterFacts,
  now: Date,
): AuthenticationDecision {
  const [record] = records;
  if (record === undefined) return { authenticated: false, reason: "unknown" };
  if (records.length > 1) return { authenticated: false, reason: "ambiguous" };

  const tokenKey = `${record.tokenNamespace}/${record.tokenName}`;
  const token = facts.serviceToken(record.tokenNamespace, record.tokenName);
  const ref = { tokenId: record.tokenId, tokenKey };
  if (token === undefined || token.metadata.uid !== record.tokenUid) {
    return { authenticated: false, reason: "stale", ...ref };
  }
  const { spec } = token;
  if (spec.tokenHash !== undefined && spec.tokenHash !== record.hash) {
    return { authenticated: false, reason: "stale", ...ref };
  }
  const owned = { ...ref, serviceUser: spec.serviceUser };
  if (token.metadata.deletionTimestamp !== undefined) {
    return { authenticated: false, reason: "deleting", ...owned };
  }
  // spec.revoked, not status: revocation applies before the controller has seen it.
  if (spec.revoked) return { authenticated: false, reason: "revoked", ...owned };
  if (isExpired(record.expiresAt, tokenExpiresAt(record.createdAt, spec.expiresInDays), now)) {
    return { authenticated: false, reason: "expired", ...owned };
  }

  const user = facts.serviceUser(spec.serviceUser);
  if (user === undefined) return { authenticated: false, reason: "user-missing", ...owned };
  if (!user.spec.active) return { authenticated: false, reason: "user-inactive", ...owned };

  const audiences = grantedAudiences(spec.audiences, requestedAudiences);
  if (audiences === undefined) return { authenticated: false, reason: "audience", ...owned };

  return {
    authenticated: true,
    // Username and groups come from the spec, so a role change applies to the next request.
    user: {
      username: serviceUserUsername(user.metadata.name),
      uid: user.metadata.uid ?? "",
      groups: serviceUserGroups(user.spec),
      extra: {
        [EXTRA_TOKEN_ID]: [record.tokenId],
        [EXTRA_TOKEN_NAME]: [record.tokenName],
        [EXTRA_TOKEN_NAMESPACE]: [record.tokenNamespace],
        [EXTRA_CREDENTIAL_ID]: [credentialId(record.tokenId)],
      },
    },
    audiences,
    ...owned,
  };
}

/** Expired at `now` by either expiry (the record's, or the one the immutable spec implies). */
function isExpired(fromRecord: Date | undefined, fromSpec: Date | undefined, now: Date): boolean {
  return [fromRecord, fromSpec].some(
    (expiresAt) => expiresAt !== undefined && now.getTime() >= expiresAt.getTime(),
  );
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
  const asked = [...new Set(requested)];
  if (tokenAudiences === undefined) return asked;
  const granted = asked.filter((audience) => tokenAudiences.includes(audience));
  return granted.length > 0 ? granted : undefined;
}
