// Times as people read them in the product's lists: "in 29 days", "3 minutes ago",
// "expired 2 days ago", "Not used". Pure: `now` is passed in.
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
  ["second", 1],
];

const format = new Intl.RelativeTimeFormat("en", { numeric: "always" });

/** "in 29 days" or "3 minutes ago": the largest whole unit, rounded towards zero. */
export function relativeTime(at: Date, now: Date): string {
  const seconds = (at.getTime() - now.getTime()) / 1000;
  const magnitude = Math.abs(seconds);
  // Days up to 59 read better than "1 month" for token lifetimes (30d, 60d).
  const [unit, size] = UNITS.find(
    ([name, size]) => magnitude >= size && !(name === "month" && magnitude < 60 * 24 * 3600),
  ) ?? ["second", 1];
  if (unit === "second" && magnitude < 10) return seconds > 0 ? "in a moment" : "just now";
  const count = Math.trunc(magnitude / size);
  return format.format(seconds < 0 ? -count : count, unit);
}

/** The EXPIRATION column: "never", "in 29 days", "expired 2 days ago". */
export function expirationText(expiresAt: string | undefined, now: Date): string {
  if (expiresAt === undefined) return "never";
  const at = new Date(expiresAt);
  if (at.getTime() <= now.getTime()) return `expired ${relativeTime(at, now)}`;
  return relativeTime(at, now);
}

/** The LAST USED column: "3 minutes ago" or "Not used". */
export function lastUsedText(lastUsedAt: string | undefined, now: Date): string {
  return lastUsedAt === undefined ? "Not used" : relativeTime(new Date(lastUsedAt), now);
}
