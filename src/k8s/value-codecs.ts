// Smaller forms of string values that a packed object (packed-object.ts) keeps per object, each
// given back exactly: a value a codec cannot give back as it was is kept as the string.
import type { ValueCodec } from "./packed-object.ts";

const DECIMAL = /^(?:0|[1-9]\d{0,14})$/;

/**
 * A decimal integer string (a resourceVersion: an etcd revision) as a number: within a packed
 * array's slot it takes no room of its own (up to 2^31), where the string takes ~24–32 bytes.
 * Leading zeros, signs and anything past 15 digits stay strings.
 */
export const DECIMAL_STRING: ValueCodec = {
  name: "decimal",
  encode: (value) => (DECIMAL.test(value) ? Number(value) : undefined),
  decode: (encoded) => String(encoded),
};

/**
 * A base64 value (a Secret's data) as its bytes, one character per byte: three quarters of
 * the length. Only canonical base64 (padded, what encoding the bytes gives back) is taken.
 */
export const BASE64_BYTES: ValueCodec = {
  name: "base64-bytes",
  encode: (value) => {
    const bytes = Buffer.from(value, "base64");
    return bytes.toString("base64") === value ? bytes.toString("latin1") : undefined;
  },
  decode: (encoded) => Buffer.from(encoded as string, "latin1").toString("base64"),
};
