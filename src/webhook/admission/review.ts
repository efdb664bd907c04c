// The AdmissionReview (admission.k8s.io/v1) wire format: the request kube-apiserver sends to a
// validating webhook and the answer it expects, which must echo the request's uid.
import { z } from "zod";
import { describeZodError, type ParseResult } from "../wire.ts";

export const ADMISSION_REVIEW_API_VERSION = "admission.k8s.io/v1";
export const ADMISSION_REVIEW_KIND = "AdmissionReview";

const AdmissionOperation = z.enum(["CREATE", "UPDATE", "DELETE", "CONNECT"]);
export type AdmissionOperation = z.infer<typeof AdmissionOperation>;

const name = z.string().max(253);
const GroupVersionResource = z.looseObject({
  group: z.string().max(253),
  version: z.string().max(63),
  resource: z.string().max(253),
});
const GroupVersionKind = z.looseObject({
  group: z.string().max(253),
  version: z.string().max(63),
  kind: z.string().max(253),
});
/** A Kubernetes object as JSON: only "is an object" is checked here; kinds parse it further. */
const objectJson = z.record(z.string(), z.unknown());

const UserInfoSchema = z.looseObject({
  username: z.string().max(1024).optional(),
  uid: z.string().max(1024).optional(),
  groups: z.array(z.string().max(1024)).max(1024).optional(),
  extra: z.record(z.string().max(1024), z.array(z.string().max(4096)).max(64)).optional(),
});
export type AdmissionUserInfo = z.infer<typeof UserInfoSchema>;

const AdmissionRequestSchema = z
  .looseObject({
    uid: z.string().min(1).max(128),
    kind: GroupVersionKind,
    resource: GroupVersionResource,
    subResource: z.string().max(253).optional(),
    name: name.optional(),
    namespace: name.optional(),
    operation: AdmissionOperation,
    userInfo: UserInfoSchema,
    object: objectJson.nullish(),
    oldObject: objectJson.nullish(),
    dryRun: z.boolean().optional(),
  })
  .superRefine((request, ctx) => {
    // What each operation must carry for the rules to be decidable.
    const needsObject = request.operation === "CREATE" || request.operation === "UPDATE";
    const needsOld = request.operation === "UPDATE" || request.operation === "DELETE";
    if (needsObject && !request.object) {
      ctx.addIssue({
        code: "custom",
        path: ["object"],
        message: `required for ${request.operation}`,
      });
    }
    if (needsOld && !request.oldObject) {
      ctx.addIssue({
        code: "custom",
        path: ["oldObject"],
        message: `required for ${request.operation}`,
      });
    }
  });
export type AdmissionRequest = z.infer<typeof AdmissionRequestSchema>;

const AdmissionReviewSchema = z.looseObject({
  apiVersion: z.literal(ADMISSION_REVIEW_API_VERSION),
  kind: z.literal(ADMISSION_REVIEW_KIND),
  request: AdmissionRequestSchema,
});

/** Parses a request body; a failure carries a short reason for an HTTP 400. */
export function parseAdmissionReview(body: unknown): ParseResult<AdmissionRequest> {
  const result = AdmissionReviewSchema.safeParse(body);
  if (!result.success) {
    return { ok: false, reason: describeZodError("AdmissionReview", result.error) };
  }
  return { ok: true, value: result.data.request };
}

/** What the webhook decided about one request. */
export type AdmissionVerdict =
  | { allowed: true }
  /** `message` is shown to the person at the terminal: what, why, and what to do instead. */
  | { allowed: false; message: string };

/** The AdmissionReview answer. */
export interface AdmissionReviewResponse {
  apiVersion: typeof ADMISSION_REVIEW_API_VERSION;
  kind: typeof ADMISSION_REVIEW_KIND;
  response: {
    uid: string;
    allowed: boolean;
    status?: { code: number; reason: string; message: string };
  };
}

/** Answers a verdict for the request with `uid`; a denial is a 403 Forbidden for the client. */
export function admissionResponse(uid: string, verdict: AdmissionVerdict): AdmissionReviewResponse {
  return {
    apiVersion: ADMISSION_REVIEW_API_VERSION,
    kind: ADMISSION_REVIEW_KIND,
    response: {
      uid,
      allowed: verdict.allowed,
      ...(verdict.allowed
        ? {}
        : { status: { code: 403, reason: "Forbidden", message: verdict.message } }),
    },
  };
}
