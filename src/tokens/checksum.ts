// The token checksum: lets anyone reject a mistyped or made-up token without a lookup.
import { crc32 } from "node:zlib";
import { decodeBase62Number, encodeBase62Number } from "./base62.ts";

/** Checksum width in base62 digits: 62^6 > 2^32 > 62^5, so every CRC32 fits in 6. */
export const CHECKSUM_LENGTH = 6;

/**
 * CRC-32/ISO-HDLC (the zlib/PNG CRC: reflected polynomial 0xEDB88320, init and final XOR
 * 0xFFFFFFFF) of the text's UTF-8 bytes, as 6 base62 digits. Secret scanners recompute it
 * with any zlib-compatible CRC32; CRC-32C (Castagnoli) would give different values.
 */
export function tokenChecksum(text: string): string {
  return encodeBase62Number(crc32(text), CHECKSUM_LENGTH);
}

/**
 * `tokenChecksum(text) === value.slice(from)`, without building the expected digits: the
 * presented ones are read as a number and compared with the CRC (every request checks one).
 */
export function checksumMatches(text: string, value: string, from: number): boolean {
  if (value.length - from !== CHECKSUM_LENGTH) return false;
  // -1 (not base62) never equals a CRC32, which is unsigned.
  return decodeBase62Number(value, from) === crc32(text);
}
