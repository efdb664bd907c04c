// Shared by the wire-format parsers: a result type and a short, value-free error description.
import type { z } from "zod";

/** A parsed request, or why it is malformed (a short text for an HTTP 400). */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

const MAX_REPORTED_ISSUES = 3;

/**
 * `<what> is malformed: spec.token: Invalid input...`. Only paths and zod's messages, which
 * never quote the input, so a token in a wrong place is not reflected back or logged.
 */
export function describeZodError(what: string, error: z.ZodError): string {
  const issues = error.issues.slice(0, MAX_REPORTED_ISSUES).map((issue) => {
    const path = issue.path.map(String).join(".");
    return `${path === "" ? "<root>" : path}: ${issue.message}`;
  });
  return `${what} is malformed: ${issues.join("; ")}`;
}
