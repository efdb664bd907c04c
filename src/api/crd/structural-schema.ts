// Turns a zod schema into a structural OpenAPI v3 schema, the dialect `apiextensions.k8s.io/v1`
// CRDs accept. `z.toJSONSchema` gets most of the way; this rewrite fixes what the API server
// would reject or misread, and refuses (with the field path) anything it cannot express, so a
// schema change that cannot become a CRD fails `npm run gen:crds` instead of the cluster.
import { z } from "zod";
import type { CelRule } from "../kubernetes-extensions.ts";

/** One node of a structural schema (the subset of JSONSchemaProps svctokens uses). */
export interface StructuralSchema {
  description?: string;
  type: "object" | "array" | "string" | "integer" | "number" | "boolean";
  format?: string;
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, StructuralSchema>;
  required?: string[];
  items?: StructuralSchema;
  "x-kubernetes-list-type"?: "atomic" | "set" | "map";
  "x-kubernetes-list-map-keys"?: string[];
  "x-kubernetes-validations"?: CelRule[];
}

/** A schema feature that has no structural equivalent (or a field without a description). */
export class UnsupportedSchemaError extends Error {
  override readonly name = "UnsupportedSchemaError";
}

type JsonSchema = Record<string, unknown>;

// Copied as they are, in the order a reader wants them in the YAML (children come after the
// value rules and before the extensions).
const VALUE_KEYS = [
  "description",
  "type",
  "format",
  "enum",
  "default",
  "nullable",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "minLength",
  "maxLength",
  "pattern",
  "minItems",
  "maxItems",
] as const satisfies readonly (keyof StructuralSchema)[];
const EXTENSION_KEYS = [
  "x-kubernetes-list-type",
  "x-kubernetes-list-map-keys",
  "x-kubernetes-validations",
] as const satisfies readonly (keyof StructuralSchema)[];

// Keys read by the rewrite itself rather than copied.
const REWRITTEN_KEYS = new Set([
  "properties",
  "required",
  "items",
  "const",
  "additionalProperties",
]);
// Emitted by zod but meaningless in a CRD.
const DROPPED_KEYS = new Set(["$schema"]);
// Anything else is refused: an unknown keyword could be invalid or non-structural in a CRD.
const KNOWN_KEYS = new Set<string>([
  ...VALUE_KEYS,
  ...EXTENSION_KEYS,
  ...REWRITTEN_KEYS,
  ...DROPPED_KEYS,
]);

const TYPES = new Set<StructuralSchema["type"]>([
  "object",
  "array",
  "string",
  "integer",
  "number",
  "boolean",
]);

/**
 * The structural schema of the field `path` described by a zod schema, as input (so fields with
 * defaults are optional).
 */
export function zodToStructuralSchema(schema: z.ZodType, path: string): StructuralSchema {
  const json = z.toJSONSchema(schema, { target: "openapi-3.0", io: "input" }) as JsonSchema;
  requireDescription(json, path);
  return toStructuralSchema(json, path);
}

/** Rewrites one JSON Schema (OpenAPI 3.0 flavour) node and its children into structural form. */
export function toStructuralSchema(json: JsonSchema, path: string): StructuralSchema {
  const node = mergeEnumUnion(json, path);
  rejectUnknownKeys(node, path);
  // `additionalProperties: false` is what pruning does anyway, and CRDs forbid writing it.
  if (node.additionalProperties !== undefined && node.additionalProperties !== false) {
    throw new UnsupportedSchemaError(`${path}: maps (additionalProperties) are not supported`);
  }
  const type = node.type;
  if (typeof type !== "string" || !TYPES.has(type as StructuralSchema["type"])) {
    throw new UnsupportedSchemaError(
      `${path}: every node needs a single type, got ${String(type)}`,
    );
  }

  const out: Record<string, unknown> = {};
  for (const key of VALUE_KEYS) {
    if (node[key] !== undefined) out[key] = node[key];
  }
  if (node.const !== undefined) out.enum = [node.const];
  // Kubernetes checks `format: date-time` itself; zod's equivalent regex only adds noise.
  if (node.format === "date-time") delete out.pattern;
  dropSafeIntegerBounds(out);

  const properties = node.properties as Record<string, JsonSchema> | undefined;
  if (properties !== undefined) {
    out.properties = Object.fromEntries(
      Object.entries(properties).map(([name, child]) => {
        const childPath = `${path}.${name}`;
        requireDescription(child, childPath);
        return [name, toStructuralSchema(child, childPath)];
      }),
    );
  }
  const required = node.required as string[] | undefined;
  if (required !== undefined && required.length > 0) out.required = required;
  if (node.items !== undefined) {
    if (Array.isArray(node.items)) {
      throw new UnsupportedSchemaError(`${path}: tuples are not supported`);
    }
    out.items = toStructuralSchema(node.items as JsonSchema, `${path}[]`);
  }
  for (const key of EXTENSION_KEYS) {
    if (node[key] !== undefined) out[key] = node[key];
  }
  return out as unknown as StructuralSchema;
}

// A union of string literals comes out of zod as `anyOf` of one-value enums; structural
// schemas forbid types inside `anyOf`, so fold it into one enum. Any other union is refused.
function mergeEnumUnion(node: JsonSchema, path: string): JsonSchema {
  const branches = (node.anyOf ?? node.oneOf) as JsonSchema[] | undefined;
  if (branches === undefined) return node;
  const type = branches[0]?.type;
  const foldable = branches.every(
    (b) => b.type === type && Array.isArray(b.enum) && Object.keys(b).length === 2,
  );
  if (!foldable) {
    throw new UnsupportedSchemaError(`${path}: only unions of literals of one type are supported`);
  }
  const { anyOf: _anyOf, oneOf: _oneOf, ...rest } = node;
  return { ...rest, type, enum: branches.flatMap((b) => b.enum as unknown[]) };
}

// `kubectl explain` teaches the API from these; a field without one is a generator error.
function requireDescription(node: JsonSchema, path: string): void {
  if (typeof node.description !== "string" || node.description.trim() === "") {
    throw new UnsupportedSchemaError(`${path}: every field needs a description`);
  }
}

function rejectUnknownKeys(node: JsonSchema, path: string): void {
  const unknown = Object.keys(node).filter((key) => !KNOWN_KEYS.has(key));
  if (unknown.length > 0) {
    throw new UnsupportedSchemaError(`${path}: unsupported keyword(s) ${unknown.join(", ")}`);
  }
}

// `z.int()` is bounded to JavaScript's safe integers; that is an artefact, not an API rule.
function dropSafeIntegerBounds(out: Record<string, unknown>): void {
  if (out.minimum === Number.MIN_SAFE_INTEGER) delete out.minimum;
  if (out.maximum === Number.MAX_SAFE_INTEGER) delete out.maximum;
}
