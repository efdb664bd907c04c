// The plugin's duration flags: a token's lifetime (`--expires`), a rotation's overlap
// (`--overlap`) and the age of an unused token (`--unused`). Pure parsers: a bad value is a
// usage error (exit 2) that says what is accepted.
import { UsageError } from "./errors.ts";

/** The longest lifetime a token may have (spec.expiresInDays). */
export const MAX_EXPIRES_DAYS = 365;
/** The longest overlap a rotation may keep the previous value (spec.rotation.overlapMinutes). */
export const MAX_OVERLAP_MINUTES = 7 * 24 * 60;

const EXPIRES_HELP = "30d, 60d, 90d, 1y, never or <N>d with N from 1 to 365";

/**
 * `--expires`: `<N>d` (1–365), `1y` (365 days) or `never`; the number of days, or undefined
 * for a token that never expires.
 */
export function parseExpires(text: string): number | undefined {
  const value = text.trim().toLowerCase();
  if (value === "never") return undefined;
  if (value === "1y") return MAX_EXPIRES_DAYS;
  const match = /^(\d+)d$/.exec(value);
  const days = match ? Number(match[1]) : NaN;
  if (!Number.isInteger(days) || days < 1 || days > MAX_EXPIRES_DAYS) {
    throw new UsageError(`--expires "${text}" is not a lifetime: use ${EXPIRES_HELP}`);
  }
  return days;
}

/** How `--expires` reads back for a number of days (for the commands the plugin suggests). */
export function expiresFlag(days: number | undefined): string {
  return days === undefined ? "never" : `${days}d`;
}

const MINUTES_PER_UNIT: Record<string, number> = { m: 1, h: 60, d: 24 * 60 };

/** `--overlap`: `<N>m`, `<N>h` or `<N>d` (a bare number is minutes), 0 to 7 days, in minutes. */
export function parseOverlap(text: string): number {
  const match = /^(\d+)([mhd]?)$/.exec(text.trim().toLowerCase());
  const minutes = match ? Number(match[1]) * (MINUTES_PER_UNIT[match[2] || "m"] ?? 1) : NaN;
  if (!Number.isSafeInteger(minutes) || minutes > MAX_OVERLAP_MINUTES) {
    throw new UsageError(
      `--overlap "${text}" is not an overlap: use minutes, hours or days such as 60m, 2h or ` +
        "1d, at most 7d (0 ends the previous value at once)",
    );
  }
  return minutes;
}

/** `--unused DAYS`: a whole number of days, 0 or more. */
export function parseDays(text: string): number {
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(value)) {
    throw new UsageError(`--unused "${text}" is not a number of days: use a whole number, e.g. 90`);
  }
  return value;
}
