// Every ServiceUser and ServiceToken the program reads goes through these parsers: what comes
// back is typed, or an InvalidObjectError the caller can report (never an unhandled crash).
import type { z } from "zod";
import { SERVICE_TOKEN_KIND, SERVICE_USER_KIND } from "./constants.ts";
import { ServiceTokenSchema, type ServiceToken } from "./service-token.ts";
import { ServiceUserSchema, type ServiceUser } from "./service-user.ts";

// Enough to say what is wrong without flooding a log line or a condition message.
const MAX_REPORTED_ISSUES = 5;

/** An object from the API server (or a request) that does not match its kind's schema. */
export class InvalidObjectError extends Error {
  override readonly name = "InvalidObjectError";
  readonly kind: string;
  readonly namespace: string | undefined;
  /** `metadata.name` of the object, when it had one. */
  readonly objectName: string | undefined;
  /** One line per problem: `<field path>: <what is wrong>`. */
  readonly issues: readonly string[];

  constructor(kind: string, obj: unknown, issues: readonly string[]) {
    const { namespace, name } = objectRef(obj);
    const ref = [namespace, name ?? "<unnamed>"].filter((part) => part !== undefined).join("/");
    const shown = issues.slice(0, MAX_REPORTED_ISSUES);
    const more = issues.length - shown.length;
    super(`${kind} ${ref} is invalid: ${shown.join("; ")}${more > 0 ? ` (and ${more} more)` : ""}`);
    this.kind = kind;
    this.namespace = namespace;
    this.objectName = name;
    this.issues = issues;
  }
}

/** Parses a ServiceUser; throws InvalidObjectError when it does not match the schema. */
export function parseServiceUser(obj: unknown): ServiceUser {
  return parseObject(ServiceUserSchema, SERVICE_USER_KIND, obj);
}

/** Parses a ServiceToken; throws InvalidObjectError when it does not match the schema. */
export function parseServiceToken(obj: unknown): ServiceToken {
  return parseObject(ServiceTokenSchema, SERVICE_TOKEN_KIND, obj);
}

function parseObject<S extends z.ZodType>(schema: S, kind: string, obj: unknown): z.output<S> {
  const result = schema.safeParse(obj);
  if (result.success) return result.data;
  throw new InvalidObjectError(kind, obj, result.error.issues.map(describeIssue));
}

function describeIssue(issue: z.core.$ZodIssue): string {
  return `${formatPath(issue.path)}: ${issue.message}`;
}

/** `["spec", "teams", 1]` → `spec.teams[1]`, the way Kubernetes names fields. */
function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "<root>";
  return path
    .map((key, i) => (typeof key === "number" ? `[${key}]` : `${i === 0 ? "" : "."}${String(key)}`))
    .join("");
}

function objectRef(obj: unknown): { namespace?: string; name?: string } {
  const metadata = isRecord(obj) ? obj.metadata : undefined;
  if (!isRecord(metadata)) return {};
  return {
    namespace: typeof metadata.namespace === "string" ? metadata.namespace : undefined,
    name: typeof metadata.name === "string" ? metadata.name : undefined,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
