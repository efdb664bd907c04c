// What the webhook's caches keep of each object: the fields its decisions read, cut on ingest
// (informer transform), so memory follows the few fields it needs, not whole objects with
// managedFields and kubectl's last-applied copy. One explicit list per kind: a decision that
// starts reading another field adds one line here (docs/decisions.md, record 58).
import { API_GROUP } from "../../api/index.ts";
import type { KubeObject, ManagedFieldsEntry, ObjectMeta } from "../../k8s/object.ts";

/**
 * metadata fields kept for tokens and users (creationTimestamp: the earliest a token's value can
 * date from); hash records also keep their labels, which say whose record it is. Nothing reads
 * resourceVersion or generation from the cache: watches resume from the raw event's.
 */
const METADATA = [
  "name",
  "namespace",
  "uid",
  "creationTimestamp",
  "deletionTimestamp",
] as const satisfies readonly (keyof ObjectMeta)[];

/** Annotations kept: the operator's own (created-at, expires-at, rotate-requested-at, …). */
const KEPT_ANNOTATION_PREFIX = `${API_GROUP}/`;

/** Per kind: top-level fields kept whole, the spec and status fields kept. */
export const KEPT_FIELDS = {
  /** Hash records: labels, annotations and data say everything (data is a hash or two). */
  hashRecord: { whole: ["type", "data"], spec: [], status: [] },
  serviceToken: {
    whole: [],
    // Everything but the description (free text up to 1 KiB that no decision reads).
    spec: [
      "serviceUser",
      "expiresInDays",
      "revoked",
      "audiences",
      "secretName",
      "tokenHash",
      "rotation",
    ],
    status: [
      "phase",
      "tokenId",
      "createdAt",
      "serviceUserUid",
      "expiresAt",
      "lastUsedAt",
      // Not revokedAt: spec.revoked says whether a token is revoked, and nothing reads when.
      // Rotation: the previous value stays valid until previousValueExpiresAt.
      "previousTokenId",
      "previousValueExpiresAt",
    ],
  },
  serviceUser: { whole: ["spec"], spec: [], status: [] },
} as const satisfies Record<
  string,
  { whole: readonly string[]; spec: readonly string[]; status: readonly string[] }
>;

type Kind = keyof typeof KEPT_FIELDS;

function pick(source: unknown, fields: readonly string[]): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  if (source === undefined || source === null) return kept;
  for (const field of fields) {
    const value = (source as Record<string, unknown>)[field];
    if (value !== undefined) kept[field] = value;
  }
  return kept;
}

/** `pick` of an object; anything else (the schema will reject it) is passed on as it is. */
function pickObject(value: unknown, fields: readonly string[]): unknown {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? pick(value, fields)
    : value;
}

/**
 * managedFields reduced to what secret-trust.ts reads: who set `data` (entries that never
 * touched data are dropped, and a kept entry's fieldsV1 is cut to its `f:data` marker).
 */
function dataOwners(entries: unknown): ManagedFieldsEntry[] | undefined {
  if (!Array.isArray(entries)) return undefined;
  const owners = (entries as ManagedFieldsEntry[]).flatMap((entry) => {
    const fields = entry.fieldsV1;
    if (typeof fields !== "object" || fields === null || !("f:data" in fields)) return [];
    return [{ manager: entry.manager, fieldsV1: { "f:data": {} } }];
  });
  return owners.length > 0 ? owners : undefined;
}

function trimmedMetadata(meta: ObjectMeta | undefined, kind: Kind): ObjectMeta {
  const kept = pick(meta, METADATA) as ObjectMeta;
  if (kind === "hashRecord" && meta?.labels !== undefined) kept.labels = meta.labels;
  const annotations = Object.entries(meta?.annotations ?? {}).filter(([key]) =>
    key.startsWith(KEPT_ANNOTATION_PREFIX),
  );
  if (annotations.length > 0) kept.annotations = Object.fromEntries(annotations);
  if (kind === "hashRecord") {
    const owners = dataOwners(meta?.managedFields);
    if (owners !== undefined) kept.managedFields = owners;
  }
  return kept;
}

/** The part of `object` (of `kind`) the webhook keeps. */
export function trimObject(kind: Kind, object: KubeObject): KubeObject {
  const { whole, spec, status } = KEPT_FIELDS[kind];
  const trimmed: KubeObject = {
    // No apiVersion or kind: the informer's resource says both, and no decision reads them.
    ...pick(object, whole),
    metadata: trimmedMetadata(object.metadata, kind),
  };
  const raw = object as { spec?: unknown; status?: unknown };
  if (spec.length > 0 && raw.spec !== undefined) trimmed.spec = pickObject(raw.spec, spec);
  if (status.length > 0 && raw.status !== undefined) trimmed.status = pick(raw.status, status);
  return trimmed;
}

/** Informer transforms, one per kind. */
export const trimHashRecord = (object: KubeObject): KubeObject => trimObject("hashRecord", object);
export const trimServiceToken = (object: KubeObject): KubeObject =>
  trimObject("serviceToken", object);
export const trimServiceUser = (object: KubeObject): KubeObject =>
  trimObject("serviceUser", object);
