// The SubjectAccessReview wire format (authorization.k8s.io v1 and v1beta1): what
// kube-apiserver's webhook authorizer sends, and the answer it expects in the same version.
import { z } from "zod";
import { describeZodError, type ParseResult } from "../wire.ts";

export const SAR_API_VERSIONS = [
  "authorization.k8s.io/v1",
  "authorization.k8s.io/v1beta1",
] as const;
export type SubjectAccessReviewApiVersion = (typeof SAR_API_VERSIONS)[number];
export const SAR_KIND = "SubjectAccessReview";

// Bounds well above anything legitimate, so hostile input is refused before any work.
const text = z.string().max(1024);
const strings = z.array(text).max(1024);
// Go omits empty fields, and some clients send null: both mean "none".
const extraSchema = z.record(text, z.array(z.string().max(4096)).max(64).nullish());

// Resource and non-resource attributes are passed on as they came (the RBAC review for a
// promoted user repeats them); only "is an object" is checked.
const attributes = z.record(z.string(), z.unknown());

const SpecSchema = z.looseObject({
  user: text.nullish(),
  uid: text.nullish(),
  /** v1 */
  groups: strings.nullish(),
  /** v1beta1 calls the list `group`. */
  group: strings.nullish(),
  extra: extraSchema.nullish(),
  resourceAttributes: attributes.nullish(),
  nonResourceAttributes: attributes.nullish(),
});

const SubjectAccessReviewSchema = z.looseObject({
  apiVersion: z.enum(SAR_API_VERSIONS),
  kind: z.literal(SAR_KIND),
  spec: SpecSchema,
});

/** A parsed SubjectAccessReview request, the same for both versions. */
export interface SubjectAccessReviewRequest {
  apiVersion: SubjectAccessReviewApiVersion;
  user: string;
  uid: string;
  groups: string[];
  extra: Record<string, string[]>;
  resourceAttributes?: Record<string, unknown>;
  nonResourceAttributes?: Record<string, unknown>;
}

/** Parses a request body; a failure carries a short reason (field paths, never values). */
export function parseSubjectAccessReview(body: unknown): ParseResult<SubjectAccessReviewRequest> {
  const result = SubjectAccessReviewSchema.safeParse(body);
  if (!result.success) {
    return { ok: false, reason: describeZodError(SAR_KIND, result.error) };
  }
  const { apiVersion, spec } = result.data;
  const extra: Record<string, string[]> = {};
  for (const [key, values] of Object.entries(spec.extra ?? {})) extra[key] = values ?? [];
  return {
    ok: true,
    value: {
      apiVersion,
      user: spec.user ?? "",
      uid: spec.uid ?? "",
      groups: (apiVersion === "authorization.k8s.io/v1" ? spec.groups : spec.group) ?? [],
      extra,
      ...(spec.resourceAttributes ? { resourceAttributes: spec.resourceAttributes } : {}),
      ...(spec.nonResourceAttributes ? { nonResourceAttributes: spec.nonResourceAttributes } : {}),
    },
  };
}

/** The three answers a webhook authorizer may give. */
export type AuthorizationVerdict =
  | { allowed: true; reason: string }
  | { allowed: false; denied: true; reason: string }
  /** No opinion: the next authorizer (RBAC) decides. */
  | { allowed: false; denied: false };

export interface SubjectAccessReviewResponse {
  apiVersion: SubjectAccessReviewApiVersion;
  kind: typeof SAR_KIND;
  status: { allowed: boolean; denied?: boolean; reason?: string; evaluationError?: string };
}

/** The answer, in the version the request was sent in. */
export function subjectAccessReviewResponse(
  apiVersion: SubjectAccessReviewApiVersion,
  verdict: AuthorizationVerdict,
  evaluationError?: string,
): SubjectAccessReviewResponse {
  const status: SubjectAccessReviewResponse["status"] = { allowed: verdict.allowed };
  if (!verdict.allowed) status.denied = verdict.denied;
  if ("reason" in verdict) status.reason = verdict.reason;
  if (evaluationError !== undefined) status.evaluationError = evaluationError;
  return { apiVersion, kind: SAR_KIND, status };
}

/** A v1 SubjectAccessReview asking RBAC about `who` doing what `request` asked about. */
export function subjectAccessReviewFor(
  who: { user: string; uid: string; groups: readonly string[]; extra: Record<string, string[]> },
  request: Pick<SubjectAccessReviewRequest, "resourceAttributes" | "nonResourceAttributes">,
): Record<string, unknown> {
  return {
    apiVersion: "authorization.k8s.io/v1",
    kind: SAR_KIND,
    spec: {
      user: who.user,
      ...(who.uid === "" ? {} : { uid: who.uid }),
      groups: [...who.groups],
      extra: who.extra,
      ...(request.resourceAttributes ? { resourceAttributes: request.resourceAttributes } : {}),
      ...(request.nonResourceAttributes
        ? { nonResourceAttributes: request.nonResourceAttributes }
        : {}),
    },
  };
}
