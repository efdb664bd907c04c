// src/tokens/: the token value format, generation and hashing.
// Token format and hashing: the public surface for the controller, webhook and scripts.
export {
  TOKEN_LENGTH,
  TOKEN_PATTERN,
  TOKEN_PREFIX,
  generateToken,
  isWellFormedToken,
  tokenDefect,
  type TokenDefect,
} from "./token.ts";
export { findTokenCandidates, type TokenCandidate } from "./candidates.ts";
export {
  TOKEN_HASH_PATTERN,
  hashToken,
  isTokenHash,
  parseTokenHash,
  tokenIdFromHash,
  type TokenHash,
} from "./hash.ts";
export { newClientToken, type ClientToken } from "./client-token.ts";
