// What the webhook's caches keep of each object: the fields its decisions read, cut on ingest
// (informer transform), so memory follows the few fields it needs, not whole objects with
// managedFields and kubectl's last-applied copy. One explicit list per kind: a decision that
// starts reading another field adds one line here (docs/decisions.md, record 58).
import { API_GROUP } from "../../api/index.ts";
import type { KubeObject, ManagedFieldsEntry, ObjectMeta } from "../../k8s/object.ts";

/** metadata fields kept for every kind (resourceVersion: watches resume from it). */
const METADATA = [
  "name",
  "namespace",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "labels",
] as const satisfies readonly (keyof ObjectMeta)[];

/** Annotations kept: the operator's own (created-at, expires-at, rotate-requested-at, …). */
const KEPT_ANNOTATION_PREFIX = `${API_GROUP}/`;

/** Per kind: top-level fields kept whole, and the status fields kept. */
export const KEPT_FIELDS = {
  /** Hash records: labels, annotations and data say everything (data is a hash or two). */
  hashRecord: { whole: ["type", "data"], status: [] },
  serviceToken: {
    whole: ["spec"],
    status: [
      "phase",
      "tokenId",
      "createdAt",
      "serviceUserUid",
      "expiresAt",
      "lastUsedAt",
      "revokedAt",
      // Rotation: the previous value stays valid until previousValueExpiresAt.
      "previousTokenId",
      "previousValueExpiresAt",
    ],
  },
  serviceUser: { whole: ["spec"], status: [] },
} as const satisfies Record<string, { whole: readonly string[]; status: readonly string[] }>;

type Kind = keyof typeof KEPT_FIELDS;

function pick(source: object | undefined, fields: readonly string[]): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  if (source === undefined) return kept;
  for (const field of fields) {
    const value = (source as Record<string, unknown>)[field];
    if (value !== undefined) kept[field] = value;
  }
  return kept;
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
  const { whole, status } = KEPT_FIELDS[kind];
  const trimmed: KubeObject = {
    ...pick(object, ["apiVersion", "kind", ...whole]),
    metadata: trimmedMetadata(object.metadata, kind),
  };
  const rawStatus = (object as { status?: object }).status;
  if (status.length > 0 && rawStatus !== undefined) {
    (trimmed as { status?: object }).status = pick(rawStatus, status);
  }
  return trimmed;
}

/** Informer transforms, one per kind. */
export const trimHashRecord = (object: KubeObject): KubeObject => trimObject("hashRecord", object);
export const trimServiceToken = (object: KubeObject): KubeObject =>
  trimObject("serviceToken", object);
export const trimServiceUser = (object: KubeObject): KubeObject =>
  trimObject("serviceUser", object);
