// Schema pieces shared by both kinds. Patterns are RE2-compatible: the API server (Go) checks
// them too, once they are in the CRDs.
import { z } from "zod";
import { rfc3339 } from "../k8s/time.ts";
import { ConditionStatus } from "./constants.ts";
import { mapList, SET_LIST } from "./kubernetes-extensions.ts";

/** RFC 1123 subdomain: what Kubernetes requires of most object names. */
export const DNS_SUBDOMAIN_PATTERN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** RFC 1123 label: lowercase alphanumerics and `-`, starting and ending alphanumeric. */
export const DNS_LABEL_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A Kubernetes object name (RFC 1123 subdomain, at most 253 characters). */
export const dnsSubdomainName = z.string().min(1).max(253).regex(DNS_SUBDOMAIN_PATTERN);

/**
 * A list of unique items. The CRD gets `x-kubernetes-list-type: set`, which is how the API
 * server enforces uniqueness (`Duplicate value`); the zod check says the same to the parser.
 */
export function uniqueList<T extends z.ZodType>(item: T): z.ZodArray<T> {
  return z
    .array(item)
    .superRefine((items, ctx) => {
      items.forEach((value, index) => {
        if (items.indexOf(value) !== index) {
          ctx.addIssue({
            code: "custom",
            message: `Duplicate value: ${JSON.stringify(value)}`,
            path: [index],
            input: value,
          });
        }
      });
    })
    .meta(SET_LIST);
}

/** A timestamp as the API server writes it: RFC 3339, e.g. `2025-01-31T12:00:00Z`. */
export const timestamp = z.iso.datetime({ offset: true });

/** `status.observedGeneration`: the `metadata.generation` the status was computed from. */
export const observedGeneration = z
  .int()
  .min(0)
  .optional()
  .describe("The metadata.generation this status was computed from.");

/**
 * The status kube-apiserver shows for an object its controller has not reached yet (a CRD
 * default, applied when the object is read): observedGeneration 0 is behind every generation,
 * so kstatus (Flux, kubectl wait) sees it in progress, not Current as it would see no status.
 */
export const NEW_OBJECT_STATUS = { observedGeneration: 0 } as const;

/** A status condition, as `metav1.Condition` defines it. */
export const ConditionSchema = z
  .object({
    type: z
      .string()
      .min(1)
      .max(316)
      .describe("Type of the condition, in CamelCase; svctokens reports `Ready`."),
    status: z.enum(ConditionStatus).describe("Status of the condition: True, False or Unknown."),
    reason: z
      .string()
      .min(1)
      .max(1024)
      .regex(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/)
      .describe("Machine-readable reason for the last transition, in CamelCase."),
    message: z
      .string()
      .max(32768)
      .describe("Human-readable details of the last transition; may be empty."),
    lastTransitionTime: timestamp.describe(
      "When the condition last changed status (RFC 3339); unchanged while the status holds.",
    ),
    observedGeneration: observedGeneration.describe(
      "The metadata.generation the condition was set from.",
    ),
  })
  .describe("One aspect of the object's current state.");
export type Condition = z.infer<typeof ConditionSchema>;

/** `status.conditions`, merged per condition `type` by server-side apply. */
export const conditions = z
  .array(ConditionSchema)
  .max(8)
  .optional()
  .meta({
    description: "Current state of the object; `Ready` says whether it does what its spec asks.",
    ...mapList("type"),
  });

// client-node may hand metadata timestamps over as Date objects: normalise them to the
// strings the API server sent (metav1.Time has second precision).
const metadataTime = z
  .union([z.string(), z.date()])
  .transform((t) => (typeof t === "string" ? t : rfc3339(t)));

// Only what the program reads; everything else in metadata passes through untouched.
const objectMetaShape = {
  name: z.string().min(1),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  generation: z.int().optional(),
  creationTimestamp: metadataTime.optional(),
  deletionTimestamp: metadataTime.optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  finalizers: z.array(z.string()).optional(),
};

/** Metadata of a cluster-scoped object (ServiceUser). */
export const ClusterObjectMetaSchema = z.looseObject(objectMetaShape);
/** Metadata of a namespaced object (ServiceToken). */
export const NamespacedObjectMetaSchema = z.looseObject({
  ...objectMetaShape,
  namespace: z.string().min(1),
});
