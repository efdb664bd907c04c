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

/** CRC-32/ISO-HDLC's table (reflected polynomial 0xEDB88320), one entry per byte value. */
const CRC_TABLE = new Int32Array(256);
for (let byte = 0; byte < 256; byte++) {
  let crc = byte;
  for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  CRC_TABLE[byte] = crc;
}

/**
 * `checksumMatches(value.slice(0, from), value, from)` for a value whose first `from`
 * characters are ASCII (a token once its shape is checked: its UTF-8 bytes are its character
 * codes), in plain JavaScript: no slice, and no call into zlib for 48 bytes on every request.
 */
export function asciiChecksumMatches(value: string, from: number): boolean {
  if (value.length - from !== CHECKSUM_LENGTH) return false;
  let crc = -1;
  for (let index = 0; index < from; index++) {
    const code = value.charCodeAt(index);
    if (code > 0x7f) return checksumMatches(value.slice(0, from), value, from);
    crc = (CRC_TABLE[(crc ^ code) & 0xff] ?? 0) ^ (crc >>> 8);
  }
  return decodeBase62Number(value, from) === (crc ^ -1) >>> 0;
}
