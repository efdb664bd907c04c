// A token made on the client's machine (`kubectl svctokens generate`, `npm run new-token`):
// only its hash goes into the cluster (spec.tokenHash); the value is shown once.
import { hashToken, tokenIdFromHash, type TokenHash } from "./hash.ts";
import { generateToken } from "./token.ts";

/** A fresh value with the hash to put in spec.tokenHash and the tokenId it will have. */
export interface ClientToken {
  value: string;
  hash: TokenHash;
  tokenId: string;
}

export function newClientToken(): ClientToken {
  const value = generateToken();
  const hash = hashToken(value);
  return { value, hash, tokenId: tokenIdFromHash(hash) };
}
