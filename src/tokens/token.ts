// The token value format: `svct_` + 43 base62 digits of 32 random bytes + 6-digit checksum.
import { randomBytes } from "node:crypto";
import { BASE62_CHARACTER_CLASS, decodeBase62Number, encodeBase62 } from "./base62.ts";
import { asciiChecksumMatches, CHECKSUM_LENGTH, tokenChecksum } from "./checksum.ts";

/** Marks a string as an svctokens token for people, log readers and secret scanners. */
export const TOKEN_PREFIX = "svct_";

/** Random bytes per token: 256 bits of entropy, which is why a fast hash is safe. */
export const TOKEN_ENTROPY_BYTES = 32;

/** Base62 digits for the random body: 62^43 > 2^256 > 62^42, so 43 always suffice. */
export const TOKEN_BODY_LENGTH = 43;

/** Every token has exactly this many characters (5 + 43 + 6 = 54). */
export const TOKEN_LENGTH = TOKEN_PREFIX.length + TOKEN_BODY_LENGTH + CHECKSUM_LENGTH;

/**
 * Finds a token-shaped string anywhere in text (not anchored, no word boundaries, so a value
 * glued to other characters is still found). Not global, so `.test()` keeps no state; build
 * `new RegExp(TOKEN_PATTERN, "g")` to replace every match. A match is a candidate: confirm it
 * with `isWellFormedToken` when precision matters.
 */
export const TOKEN_PATTERN = new RegExp(
  `${TOKEN_PREFIX}${BASE62_CHARACTER_CLASS}{${TOKEN_BODY_LENGTH + CHECKSUM_LENGTH}}`,
);

/**
 * The largest body, 2^256 - 1, as its 43 digits: fixed-width base62 compares as strings exactly
 * as the numbers compare (base62.ts), so a body is in range without decoding it to a BigInt.
 */
const LARGEST_BODY = encodeBase62((1n << BigInt(TOKEN_ENTROPY_BYTES * 8)) - 1n, TOKEN_BODY_LENGTH);
const CHECKED_LENGTH = TOKEN_PREFIX.length + TOKEN_BODY_LENGTH;

/** A fresh token from the system CSPRNG. Shown once; only its hash is ever kept. */
export function generateToken(): string {
  const body = BigInt(`0x${randomBytes(TOKEN_ENTROPY_BYTES).toString("hex")}`);
  const checked = TOKEN_PREFIX + encodeBase62(body, TOKEN_BODY_LENGTH);
  return checked + tokenChecksum(checked);
}

/**
 * Why a value is not a token: not the token's shape (prefix, length, base62), a body of more
 * than 256 bits, or a checksum that does not match. The checksum is public, so this tells a
 * mistyped or made-up value from a real token, never a real token from a forged one.
 */
export type TokenDefect = "shape" | "body-too-large" | "checksum";

/** What keeps a value from being a token, or undefined when it is well-formed. */
export function tokenDefect(value: string): TokenDefect | undefined {
  if (!hasTokenShape(value)) return "shape";
  if (bodyTooLarge(value)) return "body-too-large";
  // The shape is ASCII: its checksum is computed over the character codes, no slice.
  return asciiChecksumMatches(value, CHECKED_LENGTH) ? undefined : "checksum";
}

/**
 * Whether TOKEN_PATTERN matches the whole value, read character by character (every
 * authentication runs it):
 * the prefix, then exactly the body's and the checksum's base62 digits.
 */
function hasTokenShape(value: string): boolean {
  if (value.length !== TOKEN_LENGTH || !value.startsWith(TOKEN_PREFIX)) return false;
  for (let index = TOKEN_PREFIX.length; index < TOKEN_LENGTH; index++) {
    if (decodeBase62Number(value, index, index + 1) < 0) return false;
  }
  return true;
}

/** `value.slice(TOKEN_PREFIX.length, CHECKED_LENGTH) > LARGEST_BODY`, without the slice. */
function bodyTooLarge(value: string): boolean {
  for (let index = TOKEN_PREFIX.length; index < CHECKED_LENGTH; index++) {
    const presented = value.charCodeAt(index);
    const largest = LARGEST_BODY.charCodeAt(index - TOKEN_PREFIX.length);
    if (presented !== largest) return presented > largest;
  }
  return false;
}

/**
 * True when the value has the exact shape `generateToken` produces: prefix, length, base62
 * characters, a body that encodes at most 256 bits, and a matching checksum. No lookup and no
 * secret involved, so the authenticator can drop look-alikes before hashing.
 */
export function isWellFormedToken(value: string): boolean {
  return tokenDefect(value) === undefined;
}
