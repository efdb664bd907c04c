// Which cached ServiceTokens are kept by column (token-store.ts), and their timestamps as
// numbers: the common token — a name, a user, a lifetime, the status the controller pins — is
// a few references and numbers instead of four objects and four ISO strings (docs/decisions.md,
// record 76). A token with anything else (audiences, a client-generated hash, rotation, being
// deleted, a timestamp written another way) is kept whole, as parsed.
import type { ServiceToken } from "../../api/index.ts";

/** Timestamps kept as numbers, in their column order. */
export const TIME_FIELDS = ["creationTimestamp", "createdAt", "expiresAt", "lastUsedAt"] as const;
export type TimeField = (typeof TIME_FIELDS)[number];

/**
 * How a timestamp's text was written, so that the same text comes back: absent, as
 * `Date#toISOString` writes it (`…:00.000Z`), or the same to the second (`…:00Z`, as the API
 * server writes metadata times).
 */
export const TimeFormat = { absent: 0, millis: 1, seconds: 2 } as const;
export type TimeFormat = (typeof TimeFormat)[keyof typeof TimeFormat];

/** A timestamp as kept: epoch ms (NaN when absent) and how its text was written. */
export interface PackedTime {
  ms: number;
  format: TimeFormat;
}

const ABSENT: PackedTime = { ms: Number.NaN, format: TimeFormat.absent };

/** `text` as a number that gives it back exactly; undefined: not so representable. */
export function packTime(text: string | undefined): PackedTime | undefined {
  if (text === undefined) return ABSENT;
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) return undefined;
  const iso = new Date(ms).toISOString();
  if (iso === text) return { ms, format: TimeFormat.millis };
  if (ms % 1000 === 0 && `${iso.slice(0, -5)}Z` === text) return { ms, format: TimeFormat.seconds };
  return undefined;
}

/** The text `packTime` read (undefined when absent). */
export function timeText(ms: number, format: number): string | undefined {
  if (format === TimeFormat.absent) return undefined;
  const iso = new Date(ms).toISOString();
  return format === TimeFormat.seconds ? `${iso.slice(0, -5)}Z` : iso;
}

/** The fields of a columnar token, in the order the schema parses them (so JSON is the same). */
export const COLUMN_FIELDS = {
  token: ["metadata", "spec", "status"],
  metadata: ["name", "uid", "creationTimestamp", "namespace"],
  spec: ["serviceUser", "expiresInDays", "revoked", "secretName"],
  status: ["phase", "tokenId", "createdAt", "serviceUserUid", "expiresAt", "lastUsedAt"],
} as const;

/** Whether every key of `object` with a value is one of `allowed`. */
function onlyKeys(object: object, allowed: readonly string[]): boolean {
  const entries = Object.entries(object) as [string, unknown][];
  return entries.every(([key, value]) => value === undefined || allowed.includes(key));
}

/** The value of a timestamp field of `token`. */
export function timeOf(token: ServiceToken, field: TimeField): string | undefined {
  return field === "creationTimestamp" ? token.metadata.creationTimestamp : token.status?.[field];
}

/** Whether `token` is kept by column: only the common fields, each of the expected type. */
export function fitsColumns(token: ServiceToken): boolean {
  const { metadata, spec, status } = token;
  if (!onlyKeys(token, COLUMN_FIELDS.token) || !onlyKeys(metadata, COLUMN_FIELDS.metadata))
    return false;
  if (!onlyKeys(spec, COLUMN_FIELDS.spec)) return false;
  if (status !== undefined && !onlyKeys(status, COLUMN_FIELDS.status)) return false;
  const days = spec.expiresInDays;
  if (days !== undefined && !(Number.isInteger(days) && days >= 1 && days <= 0xffff)) return false;
  if (typeof spec.revoked !== "boolean") return false;
  return TIME_FIELDS.every((field) => packTime(timeOf(token, field)) !== undefined);
}
