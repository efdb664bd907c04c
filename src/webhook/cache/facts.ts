// What the pure decisions may know about the cluster: read-only views of the webhook's caches.
import type { ServiceToken, ServiceUser } from "../../api/index.ts";
import type { HashRecord } from "../../domain/hash-record.ts";
import type { TokenHash } from "../../tokens/index.ts";
import type { VerdictCache } from "../authn/verdict-cache.ts";

/**
 * What the cache keeps of a hash record: who it belongs to and its hash. Its created-at and
 * expires-at are informational (expiry comes from the token's status, record 26), so the cache
 * does not hold two Dates per record for them.
 */
export type CachedHashRecord = Omit<HashRecord, "createdAt" | "expiresAt">;

/** The cached world, as the authentication and admission decisions read it. */
export interface ClusterFacts {
  /** Hash records holding this hash (normally one; none for an unknown token). */
  recordsByHash(hash: TokenHash): readonly CachedHashRecord[];
  /** Hash records whose token id is `tokenId` (what /authorize sees of a token). */
  recordsByTokenId(tokenId: string): readonly CachedHashRecord[];
  serviceToken(namespace: string, name: string): ServiceToken | undefined;
  serviceUser(name: string): ServiceUser | undefined;
  /** Every cached ServiceToken of a ServiceUser, in any namespace. */
  tokensOfUser(serviceUser: string): readonly ServiceToken[];
  /** Every cached ServiceToken whose spec.tokenHash is `hash` (client-generated tokens). */
  tokensWithSpecHash(hash: TokenHash): readonly ServiceToken[];
  /**
   * Successes kept by token hash, forgotten as these facts change (authn/verdict-cache.ts);
   * absent: every request is decided in full.
   */
  readonly verdicts?: VerdictCache;
}
