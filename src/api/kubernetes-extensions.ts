// `x-kubernetes-*` schema extensions, declared in zod metadata next to the field they govern.
// `z.toJSONSchema` copies metadata keys verbatim, so the CRD generator picks them up and the
// zod schemas stay the single source of truth for what the API server enforces.

/** A CEL validation rule, as a CRD's `x-kubernetes-validations` holds it. */
export interface CelRule {
  rule: string;
  /** Shown to the person at the terminal: names the field and says what to do instead. */
  message: string;
  /** JSONPath (relative to the rule's node) of the field the error is reported on. */
  fieldPath?: string;
}

/** Metadata that attaches CEL rules to a schema node. */
export function celRules(...rules: CelRule[]): { "x-kubernetes-validations": CelRule[] } {
  return { "x-kubernetes-validations": rules };
}

/** A list of unique scalars: the API server rejects duplicates (`Duplicate value`). */
export const SET_LIST = { "x-kubernetes-list-type": "set" } as const;

/** A list of objects keyed by `keys`, merged per item by server-side apply. */
export function mapList(...keys: string[]): {
  "x-kubernetes-list-type": "map";
  "x-kubernetes-list-map-keys": string[];
} {
  return { "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": keys };
}

/**
 * `spec.<field>` keeps its value once set. Goes on the field itself; CEL runs it only when the
 * field exists in both the old and the new object, so pair an optional field with
 * {@link fixedPresence} on the spec.
 */
export function immutableValue(field: string, why: string): CelRule {
  return { rule: "self == oldSelf", message: `spec.${field} is immutable: ${why}` };
}

/** The optional `spec.<field>` can be neither added nor removed after creation. Goes on spec. */
export function fixedPresence(field: string, why: string): CelRule {
  return {
    rule: `has(self.${field}) == has(oldSelf.${field})`,
    message: `spec.${field} cannot be added or removed after creation: ${why}`,
    fieldPath: `.${field}`,
  };
}
