// kubeconform's schemas, made from the running kube-apiserver's own OpenAPI v3 (built-in kinds
// at its exact version, and the CRDs installed on it) instead of a download: one standalone,
// strict JSON schema per kind in the layout `<dir>/{{ .Group }}/{{ .ResourceAPIVersion }}/
// {{ .ResourceKind }}.json` that kubeconform's -schema-location template fills in.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

/** A JSON schema node as OpenAPI v3 writes it; only the keywords walked here are named. */
type Schema = Record<string, unknown>;

/** One `/openapi/v3/apis/<group>/<version>` (or `/openapi/v3/api/v1`) document. */
export interface OpenApiDocument {
  components?: { schemas?: Record<string, Schema> };
}

/** A kind as documents name it. */
export interface TypeMeta {
  apiVersion: string;
  kind: string;
}

interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** The -schema-location template matching `schemaPath`. */
export const SCHEMA_LOCATION_TEMPLATE =
  "{{ .Group }}/{{ .ResourceAPIVersion }}/{{ .ResourceKind }}.json";

/** Where the OpenAPI v3 document of an apiVersion is served. */
export function openApiPath(apiVersion: string): string {
  return apiVersion.includes("/")
    ? `/openapi/v3/apis/${apiVersion}`
    : `/openapi/v3/api/${apiVersion}`;
}

/** The path kubeconform asks for (it calls the core group "v1": the part before any "/"). */
export function schemaPath({ apiVersion, kind }: TypeMeta): string {
  const [group = "", version = group] = apiVersion.split("/");
  return `${group}/${version}/${kind.toLowerCase()}.json`;
}

const REF_PREFIX = "#/components/schemas/";
const isSchema = (value: unknown): value is Schema =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The sub-schemas of a node: only schema-valued keywords, never a `properties` map itself. */
function childSchemas(node: Schema): Schema[] {
  const children: unknown[] = [node.additionalProperties, node.items, node.not];
  if (isSchema(node.properties)) children.push(...Object.values(node.properties));
  for (const keyword of ["allOf", "anyOf", "oneOf"]) {
    if (Array.isArray(node[keyword])) children.push(...(node[keyword] as unknown[]));
  }
  return children.filter(isSchema);
}

/**
 * The strict form kubeconform's -strict expects: an object that lists its properties admits no
 * other (additionalProperties: false) unless it preserves unknown fields or says otherwise.
 */
function strict(node: Schema): Schema {
  const copy: Schema = { ...node };
  if (isSchema(node.properties)) {
    copy.properties = Object.fromEntries(
      Object.entries(node.properties).map(([name, child]) => [
        name,
        isSchema(child) ? strict(child) : child,
      ]),
    );
    const open = node["x-kubernetes-preserve-unknown-fields"] === true;
    if (copy.additionalProperties === undefined && !open) copy.additionalProperties = false;
  }
  if (isSchema(node.additionalProperties))
    copy.additionalProperties = strict(node.additionalProperties);
  if (isSchema(node.items)) copy.items = strict(node.items);
  if (isSchema(node.not)) copy.not = strict(node.not);
  for (const keyword of ["allOf", "anyOf", "oneOf"]) {
    if (Array.isArray(node[keyword])) {
      copy[keyword] = (node[keyword] as unknown[]).map((child) =>
        isSchema(child) ? strict(child) : child,
      );
    }
  }
  return copy;
}

/** Names of the component schemas a node refers to, directly or through others. */
function referencedNames(root: Schema, all: Record<string, Schema>): Set<string> {
  const names = new Set<string>();
  const pending = [root];
  for (let node = pending.pop(); node; node = pending.pop()) {
    const ref = node.$ref;
    if (typeof ref === "string" && ref.startsWith(REF_PREFIX)) {
      const name = ref.slice(REF_PREFIX.length);
      const target = all[name];
      if (!names.has(name) && target) {
        names.add(name);
        pending.push(target);
      }
    }
    pending.push(...childSchemas(node));
  }
  return names;
}

function gvksOf(schema: Schema): GroupVersionKind[] {
  const gvks = schema["x-kubernetes-group-version-kind"];
  return Array.isArray(gvks) ? (gvks as GroupVersionKind[]) : [];
}

/**
 * The standalone strict schema of one kind from its group-version's document: the kind's schema
 * with the components it refers to carried along (references stay as they are, so recursive
 * types such as a CRD's JSONSchemaProps need no expansion). Undefined when the kind is unknown.
 */
export function kindSchema(
  document: OpenApiDocument,
  { apiVersion, kind }: TypeMeta,
): Schema | undefined {
  const all = document.components?.schemas ?? {};
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const root = Object.values(all).find((schema) =>
    gvksOf(schema).some(
      (gvk) => gvk.group === group && gvk.version === version && gvk.kind === kind,
    ),
  );
  if (!root) return undefined;
  const carried: Record<string, Schema> = {};
  for (const name of referencedNames(root, all)) carried[name] = strict(all[name] ?? {});
  return { ...strict(root), components: { schemas: carried } };
}

/** Writes the schema of every kind under `dir`; throws for a kind the server does not know. */
export async function writeKindSchemas(
  dir: string,
  kinds: TypeMeta[],
  documentOf: (apiVersion: string) => OpenApiDocument,
): Promise<void> {
  for (const type of kinds) {
    const schema = kindSchema(documentOf(type.apiVersion), type);
    if (!schema)
      throw new Error(`kube-apiserver serves no schema for ${type.apiVersion} ${type.kind}`);
    const path = join(dir, schemaPath(type));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, JSON.stringify(schema));
  }
}
