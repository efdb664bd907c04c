// The one-way token hash that is stored and looked up, and the public tokenId taken from it.
import { hash } from "node:crypto";

/** `sha256:` + 64 lowercase hex digits: the form of `spec.tokenHash` and hash records. */
export type TokenHash = `sha256:${string}`;

/** Matches a whole, valid TokenHash; for schemas that must agree with `isTokenHash`. */
export const TOKEN_HASH_PATTERN = /^sha256:[0-9a-f]{64}$/;

const HASH_PREFIX = "sha256:";
const TOKEN_ID_HEX_DIGITS = 16;

/**
 * SHA-256 of the whole token value (prefix and checksum included). Tokens carry 256 random
 * bits, so a fast unsalted hash is safe and makes lookup by hash O(1).
 */
export function hashToken(value: string): TokenHash {
  // One-shot: no Hash object per call (this runs on every authentication).
  return `${HASH_PREFIX}${hash("sha256", value, "hex")}`;
}

/** True when the text is a TokenHash (lowercase hex only, so equal hashes are equal strings). */
export function isTokenHash(text: string): text is TokenHash {
  return TOKEN_HASH_PATTERN.test(text);
}

/** Validates a hash read from outside (a spec field, a Secret); throws an Error if malformed. */
export function parseTokenHash(text: string): TokenHash {
  if (isTokenHash(text)) return text;
  throw new Error(`invalid token hash: expected "sha256:" and 64 lowercase hex digits`);
}

/**
 * The public, non-secret handle of a token (`status.tokenId`, log fields): the first 16 hex
 * digits of its hash. 64 bits make collisions between one operator's tokens negligible.
 */
export function tokenIdFromHash(hash: TokenHash): string {
  return hash.slice(HASH_PREFIX.length, HASH_PREFIX.length + TOKEN_ID_HEX_DIGITS);
}
