// AdmissionReview requests and facts for the admission tests.
import type { KubeObject } from "../../../../src/k8s/object.ts";
import { expect } from "vitest";
import {
  decideAdmission,
  needsAdminCheck,
  type AdmissionFacts,
} from "../../../../src/webhook/admission/decide.ts";
import type { AdmissionRequest } from "../../../../src/webhook/admission/review.ts";
import type { ClusterFacts } from "../../../../src/webhook/cache/facts.ts";
import { factsOf, NOW } from "../fixtures.ts";

export const CONTROLLER = "system:serviceaccount:svctokens-system:svctokens-controller";

const RESOURCES = {
  servicetokens: { group: "svctokens.dev", version: "v1alpha1", resource: "servicetokens" },
  serviceusers: { group: "svctokens.dev", version: "v1alpha1", resource: "serviceusers" },
  secrets: { group: "", version: "v1", resource: "secrets" },
} as const;
const KINDS = {
  servicetokens: { group: "svctokens.dev", version: "v1alpha1", kind: "ServiceToken" },
  serviceusers: { group: "svctokens.dev", version: "v1alpha1", kind: "ServiceUser" },
  secrets: { group: "", version: "v1", kind: "Secret" },
} as const;

export interface RequestOptions {
  object?: KubeObject;
  oldObject?: KubeObject;
  username?: string;
  groups?: string[];
  subResource?: string;
}

/** An admission request on one of our resources, as kube-apiserver would send it. */
export function admissionRequest(
  operation: AdmissionRequest["operation"],
  resource: keyof typeof RESOURCES,
  options: RequestOptions,
): AdmissionRequest {
  const subject = options.object ?? options.oldObject;
  return {
    uid: "uid-review",
    kind: KINDS[resource],
    resource: RESOURCES[resource],
    ...(options.subResource ? { subResource: options.subResource } : {}),
    name: subject?.metadata?.name ?? "",
    ...(subject?.metadata?.namespace ? { namespace: subject.metadata.namespace } : {}),
    operation,
    userInfo: {
      username: options.username ?? "alice",
      groups: options.groups ?? ["system:authenticated"],
    },
    object: options.object ?? null,
    oldObject: options.oldObject ?? null,
  };
}

/** Admission facts over a cached world. */
export function admissionFacts(
  options: {
    isAdmin?: boolean;
    users?: KubeObject[];
    tokens?: KubeObject[];
    records?: KubeObject[];
    maxTokenLifetimeDays?: number;
    now?: Date;
    /** Labels by namespace; a namespace not listed has none. */
    namespaceLabels?: Record<string, Record<string, string>>;
  } = {},
): AdmissionFacts {
  const cluster: ClusterFacts = factsOf(options);
  return {
    cluster,
    isAdmin: options.isAdmin ?? false,
    now: options.now ?? NOW,
    maxTokenLifetimeDays: options.maxTokenLifetimeDays,
    controllerUsername: CONTROLLER,
    namespaceLabels: (namespace) => options.namespaceLabels?.[namespace] ?? {},
  };
}

/** A copy of `object` with changes applied to its metadata/spec/status. */
export function changed(
  object: KubeObject,
  changes: { metadata?: object; spec?: object; status?: object },
): KubeObject {
  return {
    ...object,
    metadata: { ...object.metadata, ...changes.metadata },
    spec: { ...(object.spec as object), ...changes.spec },
    ...(changes.status ? { status: { ...(object.status as object), ...changes.status } } : {}),
  };
}

/** The denial tail for an Admin action attempted by "alice", who is not an Admin. */
export const NOT_ADMIN =
  'is an Admin action and "alice" is not an Admin: ask an Admin to do it, or get RBAC ' +
  'permission for verb "admin" on servicetokens.svctokens.dev (the svctokens:admin ClusterRole)';

/** One row of a table-driven admission test. */
export interface AdmissionCase {
  name: string;
  request: AdmissionRequest;
  facts: AdmissionFacts;
  /** undefined: allowed; a string: denied with exactly this message. */
  denied?: string;
  /** Whether the handler must ask RBAC first. */
  adminCheck: boolean;
}

/** Asserts the row's admin-check need and verdict. */
export function checkAdmission(c: AdmissionCase, controllerUsername?: string): void {
  expect(needsAdminCheck(c.request, controllerUsername)).toBe(c.adminCheck);
  const verdict = decideAdmission(c.request, c.facts);
  if (c.denied === undefined) expect(verdict).toEqual({ allowed: true });
  else expect(verdict).toEqual({ allowed: false, message: c.denied });
}
