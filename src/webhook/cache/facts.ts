// What the pure decisions may know about the cluster: read-only views of the webhook's caches.
import type { ServiceToken, ServiceUser } from "../../api/index.ts";
import type { HashRecord } from "../../domain/hash-record.ts";
import type { TokenHash } from "../../tokens/index.ts";

/** The cached world, as the authentication and admission decisions read it. */
export interface ClusterFacts {
  /** Hash records holding this hash (normally one; none for an unknown token). */
  recordsByHash(hash: TokenHash): readonly HashRecord[];
  /** Hash records whose token id is `tokenId` (what /authorize sees of a token). */
  recordsByTokenId(tokenId: string): readonly HashRecord[];
  serviceToken(namespace: string, name: string): ServiceToken | undefined;
  serviceUser(name: string): ServiceUser | undefined;
  /** Every cached ServiceToken of a ServiceUser, in any namespace. */
  tokensOfUser(serviceUser: string): readonly ServiceToken[];
  /** Every cached ServiceToken whose spec.tokenHash is `hash` (client-generated tokens). */
  tokensWithSpecHash(hash: TokenHash): readonly ServiceToken[];
}
