// Fixed-width base62: the text form of token bodies and checksums.

/**
 * Digits in ascending value, in ASCII order (0-9, A-Z, a-z). Because digit order matches
 * character order, two encodings of the same width compare as strings exactly as their
 * numbers compare. The alphabet is part of the token format: never reorder it.
 */
export const BASE62_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** The same alphabet as a regular-expression character class, for patterns over tokens. */
export const BASE62_CHARACTER_CLASS = "[0-9A-Za-z]";

const BASE = 62n;
const DIGIT_VALUES = new Map([...BASE62_ALPHABET].map((char, value) => [char, BigInt(value)]));

/**
 * Encodes a non-negative integer as exactly `width` base62 digits, padded with leading "0".
 * Fixed width keeps every token the same length, so a length check rejects look-alikes.
 * Throws a RangeError when the value is negative or needs more than `width` digits.
 */
export function encodeBase62(value: bigint, width: number): string {
  if (value < 0n) throw new RangeError("base62 encodes non-negative integers only");
  let rest = value;
  let digits = "";
  while (rest > 0n) {
    digits = BASE62_ALPHABET.charAt(Number(rest % BASE)) + digits;
    rest /= BASE;
  }
  if (digits.length > width) {
    throw new RangeError(`value needs ${digits.length} base62 digits, more than ${width}`);
  }
  return digits.padStart(width, "0");
}

/**
 * `encodeBase62` for a safe integer (a CRC32, a count): plain number arithmetic, no BigInt, so
 * it is cheap enough for every request. Same digits, same RangeErrors.
 */
export function encodeBase62Number(value: number, width: number): string {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError("base62 encodes non-negative integers only");
  }
  let rest = value;
  let digits = "";
  while (rest > 0) {
    digits = BASE62_ALPHABET.charAt(rest % 62) + digits;
    rest = Math.floor(rest / 62);
  }
  if (digits.length > width) {
    throw new RangeError(`value needs ${digits.length} base62 digits, more than ${width}`);
  }
  return digits.padStart(width, "0");
}

/**
 * Decodes base62 digits (leading "0"s allowed) to the integer they spell.
 * Throws a RangeError on any character outside the alphabet, or on empty input.
 */
export function decodeBase62(digits: string): bigint {
  if (digits === "") throw new RangeError("base62 input is empty");
  let value = 0n;
  for (const char of digits) {
    const digit = DIGIT_VALUES.get(char);
    if (digit === undefined) throw new RangeError("base62 input has a non-base62 character");
    value = value * BASE + digit;
  }
  return value;
}

/** Each ASCII character code's digit value, -1 outside the alphabet (derived from it). */
const NUMBER_DIGIT_VALUES = new Int8Array(128).fill(-1);
for (let value = 0; value < BASE62_ALPHABET.length; value++) {
  NUMBER_DIGIT_VALUES[BASE62_ALPHABET.charCodeAt(value)] = value;
}

/** At most this many digits decode to a safe integer (62^8 < 2^53 < 62^9). */
const MAX_NUMBER_DIGITS = 8;

/**
 * `decodeBase62` for a few digits (a checksum) read from `text[from, to)`: plain number
 * arithmetic and no slice, cheap enough for every request. -1 when the range is empty or holds
 * a character outside the alphabet; throws a RangeError past 8 digits.
 */
export function decodeBase62Number(text: string, from = 0, to = text.length): number {
  if (to - from > MAX_NUMBER_DIGITS) throw new RangeError("too many base62 digits for a number");
  if (to <= from) return -1;
  let value = 0;
  for (let i = from; i < to; i++) {
    const digit = NUMBER_DIGIT_VALUES[text.charCodeAt(i)] ?? -1;
    if (digit < 0) return -1;
    value = value * 62 + digit;
  }
  return value;
}
