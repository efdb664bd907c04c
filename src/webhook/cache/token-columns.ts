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

const DAY_MS = 86_400_000;
const two = (n: number): string => (n < 10 ? `0${n}` : String(n));

/**
 * `new Date(ms).toISOString()`, about twice as fast for years 0–9999 (the civil calendar from a
 * day count, without a Date): every token read and every token listed formats its times.
 */
export function isoText(ms: number): string {
  const days = Math.floor(ms / DAY_MS);
  const inDay = ms - days * DAY_MS;
  // Days since 0000-03-01, in 400-year eras; March first, so the leap day ends a year.
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shifted = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shifted + 2) / 5) + 1;
  const month = shifted < 10 ? shifted + 3 : shifted - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  if (!Number.isInteger(ms) || year < 0 || year > 9999) return new Date(ms).toISOString();
  const millis = inDay % 1000;
  const seconds = Math.floor(inDay / 1000);
  return (
    `${String(year).padStart(4, "0")}-${two(month)}-${two(day)}T` +
    `${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}` +
    `.${String(millis).padStart(3, "0")}Z`
  );
}

/** `text` as a number that gives it back exactly; undefined: not so representable. */
export function packTime(text: string | undefined): PackedTime | undefined {
  if (text === undefined) return ABSENT;
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) return undefined;
  const iso = isoText(ms);
  if (iso === text) return { ms, format: TimeFormat.millis };
  if (ms % 1000 === 0 && `${iso.slice(0, -5)}Z` === text) return { ms, format: TimeFormat.seconds };
  return undefined;
}

/** The text `packTime` read (undefined when absent). */
export function timeText(ms: number, format: number): string | undefined {
  if (format === TimeFormat.absent) return undefined;
  const iso = isoText(ms);
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
  for (const key in object) {
    if ((object as Record<string, unknown>)[key] !== undefined && !allowed.includes(key))
      return false;
  }
  return true;
}

/** The value of a timestamp field of `token`. */
export function timeOf(token: ServiceToken, field: TimeField): string | undefined {
  return field === "creationTimestamp" ? token.metadata.creationTimestamp : token.status?.[field];
}

/**
 * The timestamps of `token` (in TIME_FIELDS order) when it is kept by column — only the common
 * fields, each of the expected type, every time representable; undefined: it is kept whole.
 */
export function packColumns(token: ServiceToken): PackedTime[] | undefined {
  const { metadata, spec, status } = token;
  if (!onlyKeys(token, COLUMN_FIELDS.token) || !onlyKeys(metadata, COLUMN_FIELDS.metadata))
    return undefined;
  if (!onlyKeys(spec, COLUMN_FIELDS.spec)) return undefined;
  if (status !== undefined && !onlyKeys(status, COLUMN_FIELDS.status)) return undefined;
  const days = spec.expiresInDays;
  if (days !== undefined && !(Number.isInteger(days) && days >= 1 && days <= 0xffff))
    return undefined;
  if (typeof spec.revoked !== "boolean") return undefined;
  const times: PackedTime[] = [];
  for (const field of TIME_FIELDS) {
    const packed = packTime(timeOf(token, field));
    if (packed === undefined) return undefined;
    times.push(packed);
  }
  return times;
}
