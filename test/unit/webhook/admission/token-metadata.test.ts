import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../../src/k8s/object.ts";
import { decideAdmission, needsAdminCheck } from "../../../../src/webhook/admission/decide.ts";
import type { AdmissionRequest } from "../../../../src/webhook/admission/review.ts";
import { admissionFacts, admissionRequest, changed, CONTROLLER } from "./fixtures.ts";
import { serviceToken, serviceUser } from "../fixtures.ts";

const GC = "system:serviceaccount:kube-system:generic-garbage-collector";
const KCM = "system:kube-controller-manager";
const ROTATE = "svctokens.dev/rotate-requested-at";
const ADMIN_TAIL =
  'is an Admin action and "eddie" is not an Admin: ask an Admin to do it, or get RBAC ' +
  'permission for verb "admin" on servicetokens.svctokens.dev (the svctokens:admin ClusterRole)';
const FREE = "Labels and other annotations need no Admin.";
const WHY_OWNERS = "owner references decide when the garbage collector deletes a token";
const WHY_FINALIZERS = "finalizers hold a token's deletion until its hash record is removed";
const WHY_ROTATION = "the rotation annotation replaces a token's value";

const userOwner = {
  apiVersion: "svctokens.dev/v1alpha1",
  kind: "ServiceUser",
  name: "ci-bot",
  uid: "uid-user-ci-bot",
};
const dangling = { apiVersion: "v1", kind: "ConfigMap", name: "gone", uid: "uid-gone" };
// A token as the controller leaves it: its finalizer and its ServiceUser as owner.
const token: KubeObject = changed(serviceToken("ci"), {
  metadata: {
    finalizers: ["svctokens.dev/hash-record"],
    ownerReferences: [userOwner],
    labels: { team: "payments" },
    annotations: { note: "ci" },
  },
});
const world = { users: [serviceUser("ci-bot")] };

interface Case {
  name: string;
  /** The stored token (default: as the controller leaves it). */
  old?: KubeObject;
  object: KubeObject;
  username?: string;
  isAdmin?: boolean;
  subResource?: string;
  /** undefined: allowed; else denied with exactly this message. */
  denied?: string;
  adminCheck: boolean;
}

const refused = (fields: string, why: string): string =>
  `Changing ${fields} of ServiceToken prod/ci ${ADMIN_TAIL}. Why: ${why}. ${FREE}`;

describe("protected metadata of ServiceTokens", () => {
  const cases: Case[] = [
    {
      name: "a non-Admin points the owner references at a dangling owner",
      object: changed(token, { metadata: { ownerReferences: [dangling] } }),
      denied: refused("metadata.ownerReferences", WHY_OWNERS),
      adminCheck: true,
    },
    {
      name: "a non-Admin adds a second owner",
      object: changed(token, { metadata: { ownerReferences: [userOwner, dangling] } }),
      denied: refused("metadata.ownerReferences", WHY_OWNERS),
      adminCheck: true,
    },
    {
      name: "a non-Admin removes the controller's finalizer",
      object: changed(token, { metadata: { finalizers: [] } }),
      denied: refused("metadata.finalizers", WHY_FINALIZERS),
      adminCheck: true,
    },
    {
      name: "a non-Admin sets the rotation annotation",
      object: changed(token, {
        metadata: { annotations: { note: "ci", [ROTATE]: "2025-06-01T12:00:00Z" } },
      }),
      denied: refused(`the annotation ${ROTATE}`, WHY_ROTATION),
      adminCheck: true,
    },
    {
      name: "a non-Admin changes all three at once",
      object: changed(token, {
        metadata: {
          ownerReferences: [],
          finalizers: ["other"],
          annotations: { [ROTATE]: "2025-06-01T12:00:00Z" },
        },
      }),
      denied: refused(
        `metadata.ownerReferences, metadata.finalizers and the annotation ${ROTATE}`,
        `${WHY_OWNERS}; ${WHY_FINALIZERS}; ${WHY_ROTATION}`,
      ),
      adminCheck: true,
    },
    {
      name: "a non-Admin changes a label",
      object: changed(token, { metadata: { labels: { team: "platform" } } }),
      adminCheck: false,
    },
    {
      name: "a non-Admin changes another annotation",
      object: changed(token, { metadata: { annotations: { note: "deploys" } } }),
      adminCheck: false,
    },
    {
      name: "a non-Admin adds a finalizer of its own",
      object: changed(token, { metadata: { finalizers: ["b", "svctokens.dev/hash-record"] } }),
      denied: refused("metadata.finalizers", WHY_FINALIZERS),
      adminCheck: true,
    },
    {
      name: "a non-Admin reorders the finalizers (nothing changes)",
      old: changed(token, { metadata: { finalizers: ["svctokens.dev/hash-record", "b"] } }),
      object: changed(token, { metadata: { finalizers: ["b", "svctokens.dev/hash-record"] } }),
      adminCheck: false,
    },
    {
      name: "an Admin points the owner references elsewhere",
      object: changed(token, { metadata: { ownerReferences: [dangling] } }),
      isAdmin: true,
      adminCheck: true,
    },
    {
      name: "an Admin sets the rotation annotation",
      object: changed(token, { metadata: { annotations: { [ROTATE]: "2025-06-01T12:00:00Z" } } }),
      isAdmin: true,
      adminCheck: true,
    },
    {
      name: "the controller sets its owner reference and finalizer",
      object: changed(token, { metadata: { ownerReferences: [], finalizers: [] } }),
      username: CONTROLLER,
      adminCheck: false,
    },
    {
      name: "the controller sets the rotation annotation",
      object: changed(token, { metadata: { annotations: { [ROTATE]: "2025-06-01T12:00:00Z" } } }),
      username: CONTROLLER,
      adminCheck: false,
    },
    ...[GC, KCM].map((username) => ({
      name: `${username} orphans the token and removes the orphan finalizer`,
      object: changed(token, {
        metadata: { ownerReferences: [], finalizers: ["svctokens.dev/hash-record"] },
      }),
      username,
      adminCheck: false,
    })),
    {
      name: "the garbage collector sets the rotation annotation",
      object: changed(token, { metadata: { annotations: { [ROTATE]: "2025-06-01T12:00:00Z" } } }),
      username: GC,
      denied:
        `Changing the annotation ${ROTATE} of ServiceToken prod/ci is an Admin action and ` +
        `"${GC}" is not an Admin: ask an Admin to do it, or get RBAC permission for verb ` +
        `"admin" on servicetokens.svctokens.dev (the svctokens:admin ClusterRole). Why: ` +
        `${WHY_ROTATION}. ${FREE}`,
      adminCheck: true,
    },
    {
      name: "the status subresource (kube-apiserver keeps metadata as it was)",
      object: changed(token, { metadata: { ownerReferences: [dangling] } }),
      subResource: "status",
      adminCheck: false,
    },
  ];

  it.each(cases)("$name", (c) => {
    const request: AdmissionRequest = admissionRequest("UPDATE", "servicetokens", {
      oldObject: c.old ?? token,
      object: c.object,
      username: c.username ?? "eddie",
      ...(c.subResource ? { subResource: c.subResource } : {}),
    });
    expect(needsAdminCheck(request, CONTROLLER)).toBe(c.adminCheck);
    const verdict = decideAdmission(request, admissionFacts({ ...world, isAdmin: c.isAdmin }));
    if (c.denied === undefined) expect(verdict).toEqual({ allowed: true });
    else expect(verdict).toEqual({ allowed: false, message: c.denied });
  });

  it("asks RBAC about the controller's writes when it does not know who the controller is", () => {
    const request = admissionRequest("UPDATE", "servicetokens", {
      oldObject: token,
      object: changed(token, { metadata: { finalizers: [] } }),
      username: CONTROLLER,
    });
    expect(needsAdminCheck(request)).toBe(true);
  });
});
