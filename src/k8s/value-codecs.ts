// Smaller forms of string values that a packed object (packed-object.ts) keeps per object, each
// given back exactly: a value a codec cannot give back as it was is kept as the string.
import type { ValueCodec } from "./packed-object.ts";
import { rfc3339 } from "./time.ts";

const DECIMAL = /^(?:0|[1-9]\d{0,14})$/;
const SECONDS_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

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
 * An RFC 3339 time to the second in UTC (metav1.Time, as kube-apiserver writes it) as epoch
 * seconds: a number in the slot (until 2038; a heap number after) instead of a ~40-byte string.
 * Other forms (fractions, offsets) and times that do not exist stay strings.
 */
export const SECONDS_TIMESTAMP: ValueCodec = {
  name: "rfc3339-seconds",
  encode: (value) => {
    if (!SECONDS_TIME.test(value)) return undefined;
    const ms = Date.parse(value);
    if (!Number.isFinite(ms) || rfc3339(new Date(ms)) !== value) return undefined;
    return ms / 1000;
  },
  decode: (encoded) => rfc3339(new Date((encoded as number) * 1000)),
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
