// The two time formats the Kubernetes API uses, and the second precision metav1.Time keeps.

/** metav1.Time: RFC 3339 with second precision, e.g. `2026-01-31T12:00:00Z`. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** metav1.MicroTime (Lease and Event times): microsecond precision. */
export function microTime(date: Date): string {
  return date.toISOString().replace("Z", "000Z");
}

/** Second precision, as metav1.Time and RFC 3339 status fields keep it (also before 1970). */
export function truncateToSecond(ms: number): number {
  return ms - (((ms % 1000) + 1000) % 1000);
}
