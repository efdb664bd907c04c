// Which parts of an object's metadata an update changes, read from the raw JSON kube-apiserver
// sends (admission sees objects before any schema of ours has judged them).
import { isDeepStrictEqual } from "node:util";

/** The metadata fields that decide an object's life rather than describe it. */
export type LifeField = "ownerReferences" | "finalizers";

type Metadata = Record<string, unknown>;

function metadataOf(object: unknown): Metadata {
  const metadata = (object as { metadata?: unknown } | null | undefined)?.metadata;
  return typeof metadata === "object" && metadata !== null ? (metadata as Metadata) : {};
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function recordOf(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

/** Owner references, in order (absent = none). */
export function ownerReferencesOf(object: unknown): unknown[] {
  return listOf(metadataOf(object).ownerReferences);
}

/** Finalizers as a sorted list: their order means nothing. */
function finalizersOf(object: unknown): string[] {
  return listOf(metadataOf(object).finalizers).map(String).sort();
}

/** An annotation's value, or undefined when absent. */
export function annotationOf(object: unknown, key: string): unknown {
  return recordOf(metadataOf(object).annotations)[key];
}

/** Which of ownerReferences and finalizers differ between `old` and `object`. */
export function changedLifeFields(old: unknown, object: unknown): LifeField[] {
  const changed: LifeField[] = [];
  if (!isDeepStrictEqual(ownerReferencesOf(old), ownerReferencesOf(object))) {
    changed.push("ownerReferences");
  }
  if (!isDeepStrictEqual(finalizersOf(old), finalizersOf(object))) changed.push("finalizers");
  return changed;
}

/**
 * Whether everything a writer chooses, except ownerReferences and finalizers, is unchanged:
 * the body (data, type, spec...), labels and annotations. Fields the API server keeps itself
 * (resourceVersion, managedFields, timestamps) and immutable ones (name, uid) are not compared.
 */
export function onlyLifeFieldsChanged(old: unknown, object: unknown): boolean {
  const chosen = (obj: unknown): unknown => {
    const { metadata, ...body } = recordOf(obj);
    const meta = recordOf(metadata);
    return { body, labels: recordOf(meta.labels), annotations: recordOf(meta.annotations) };
  };
  return isDeepStrictEqual(chosen(old), chosen(object));
}
