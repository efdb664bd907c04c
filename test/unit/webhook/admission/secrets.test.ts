import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../../src/k8s/object.ts";
import { decideAdmission, needsAdminCheck } from "../../../../src/webhook/admission/decide.ts";
import type { AdmissionRequest } from "../../../../src/webhook/admission/review.ts";
import { admissionFacts, admissionRequest, CONTROLLER } from "./fixtures.ts";
import { issue, serviceToken } from "../fixtures.ts";

const GC = "system:serviceaccount:kube-system:generic-garbage-collector";
const NAMESPACE_CONTROLLER = "system:serviceaccount:kube-system:namespace-controller";
const KCM = "system:kube-controller-manager";

const record = issue(serviceToken("ci", { uid: "u1" })).record;
const delivery: KubeObject = {
  apiVersion: "v1",
  kind: "Secret",
  metadata: {
    name: "ci-token",
    namespace: "prod",
    labels: { "app.kubernetes.io/managed-by": "svctokens", "svctokens.dev/token-name": "ci" },
    ownerReferences: [
      { apiVersion: "svctokens.dev/v1alpha1", kind: "ServiceToken", name: "ci", uid: "u1" },
    ],
  },
  type: "svctokens.dev/service-token",
  data: { token: "c2VjcmV0" },
};
const withMetadata = (secret: KubeObject, metadata: object): KubeObject => ({
  ...secret,
  metadata: { ...secret.metadata, ...metadata },
});
const unlabelled = withMetadata(delivery, { labels: {} });
const recordMetadata = record.metadata ?? {};
const plantedRecord = withMetadata(record, { labels: { "svctokens.dev/token-name": "ci" } });
const RESERVED_TYPE = (ref: string, type: string, verb: string): string =>
  `Secret ${ref} has type ${type}, which only the svctokens controller writes, so "alice" may ` +
  `not ${verb} it: give your Secret another type (such as Opaque); to get a token, create a ` +
  `ServiceToken`;

const RECORD_DENIAL = (verb: string, who = '"alice"'): string =>
  `Secret svctokens-system/token-u1 holds the hash of ServiceToken prod/ci, so only the ` +
  `svctokens controller may ${verb} it, not ${who}: to stop a token, revoke its ServiceToken ` +
  `(spec.revoked: true); to replace it, create a new ServiceToken`;
const DELIVERY_DENIAL = (verb: string, who = '"alice"'): string =>
  `Secret prod/ci-token delivers the value of ServiceToken prod/ci, so only the svctokens ` +
  `controller may ${verb} it, not ${who}: to stop a token, revoke its ServiceToken ` +
  `(spec.revoked: true); to replace it, create a new ServiceToken`;

interface Case {
  name: string;
  request: AdmissionRequest;
  denied?: string;
}

const req = (
  operation: AdmissionRequest["operation"],
  options: { object?: KubeObject; oldObject?: KubeObject; username?: string },
): AdmissionRequest => admissionRequest(operation, "secrets", options);

describe("admission of the operator's Secrets", () => {
  const cases: Case[] = [
    {
      name: "the controller creates a hash record",
      request: req("CREATE", { object: record, username: CONTROLLER }),
    },
    {
      name: "the controller updates a hash record",
      request: req("UPDATE", { object: record, oldObject: record, username: CONTROLLER }),
    },
    {
      name: "the controller deletes a hash record",
      request: req("DELETE", { oldObject: record, username: CONTROLLER }),
    },
    {
      name: "the controller writes a delivery Secret",
      request: req("CREATE", { object: delivery, username: CONTROLLER }),
    },
    {
      name: "someone else forges a hash record",
      request: req("CREATE", { object: record }),
      denied: RECORD_DENIAL("create"),
    },
    {
      name: "someone else edits a hash record",
      request: req("UPDATE", { object: record, oldObject: record }),
      denied: RECORD_DENIAL("change"),
    },
    {
      name: "someone else deletes a hash record",
      request: req("DELETE", { oldObject: record }),
      denied: RECORD_DENIAL("delete"),
    },
    {
      name: "someone else creates a labelled delivery Secret",
      request: req("CREATE", { object: delivery }),
      denied: DELIVERY_DENIAL("create"),
    },
    {
      name: "someone else deletes a delivery Secret",
      request: req("DELETE", { oldObject: delivery }),
      denied: DELIVERY_DENIAL("delete"),
    },
    {
      name: "someone else removes the label (the old object still matches)",
      request: req("UPDATE", { object: unlabelled, oldObject: delivery }),
      denied: DELIVERY_DENIAL("change"),
    },
    {
      name: "the garbage collector deletes a delivery Secret",
      request: req("DELETE", { oldObject: delivery, username: GC }),
    },
    {
      name: "the namespace controller deletes a delivery Secret",
      request: req("DELETE", { oldObject: delivery, username: NAMESPACE_CONTROLLER }),
    },
    {
      name: "kube-controller-manager deletes a hash record",
      request: req("DELETE", { oldObject: record, username: KCM }),
    },
    {
      name: "the garbage collector removes owner references (orphaning)",
      request: req("UPDATE", {
        object: withMetadata(delivery, { ownerReferences: [] }),
        oldObject: delivery,
        username: GC,
      }),
    },
    {
      name: "the garbage collector changes data",
      request: req("UPDATE", {
        object: { ...delivery, data: {} },
        oldObject: delivery,
        username: GC,
      }),
      denied: DELIVERY_DENIAL("change", `"${GC}"`),
    },
    {
      name: "the namespace controller updates a delivery Secret",
      request: req("UPDATE", {
        object: withMetadata(delivery, { ownerReferences: [] }),
        oldObject: delivery,
        username: NAMESPACE_CONTROLLER,
      }),
      denied: DELIVERY_DENIAL("change", `"${NAMESPACE_CONTROLLER}"`),
    },
    {
      name: "the garbage collector re-points a hash record's labels at another token",
      request: req("UPDATE", {
        object: withMetadata(record, {
          labels: { ...recordMetadata.labels, "svctokens.dev/token-name": "admin-token" },
        }),
        oldObject: record,
        username: GC,
      }),
      denied: RECORD_DENIAL("change", `"${GC}"`),
    },
    {
      name: "kube-controller-manager changes a hash record's annotations",
      request: req("UPDATE", {
        object: withMetadata(record, { annotations: { "svctokens.dev/created-at": "2099" } }),
        oldObject: record,
        username: KCM,
      }),
      denied: RECORD_DENIAL("change", `"${KCM}"`),
    },
    {
      name: "the garbage collector removes the foregroundDeletion finalizer of a hash record",
      request: req("UPDATE", {
        object: record,
        oldObject: withMetadata(record, { finalizers: ["foregroundDeletion"] }),
        username: GC,
      }),
    },
    {
      name: "the garbage collector removes an owner reference and changes a label together",
      request: req("UPDATE", {
        object: withMetadata(delivery, { ownerReferences: [], labels: {} }),
        oldObject: delivery,
        username: GC,
      }),
      denied: DELIVERY_DENIAL("change", `"${GC}"`),
    },
    {
      name: "someone plants an unlabelled hash record",
      request: req("CREATE", { object: plantedRecord }),
      denied: RESERVED_TYPE("svctokens-system/token-u1", "svctokens.dev/token-hash", "create"),
    },
    {
      name: "someone plants an unlabelled delivery Secret",
      request: req("CREATE", { object: unlabelled }),
      denied: RESERVED_TYPE("prod/ci-token", "svctokens.dev/service-token", "create"),
    },
    {
      name: "someone changes an unlabelled delivery-typed Secret",
      request: req("UPDATE", { object: { ...unlabelled, data: {} }, oldObject: unlabelled }),
      denied: RESERVED_TYPE("prod/ci-token", "svctokens.dev/service-token", "change"),
    },
    {
      name: "someone deletes an unlabelled delivery-typed Secret (foreign: resolves a conflict)",
      request: req("DELETE", { oldObject: unlabelled }),
    },
    {
      name: "someone labels an unlabelled hash record",
      request: req("UPDATE", { object: record, oldObject: plantedRecord }),
      denied: RECORD_DENIAL("change"),
    },
    {
      name: "someone changes a Secret that is not svctokens'",
      request: req("UPDATE", {
        object: { ...unlabelled, type: "Opaque" },
        oldObject: { ...unlabelled, type: "Opaque" },
      }),
    },
    {
      name: "someone creates an Opaque Secret with our label",
      request: req("CREATE", { object: { ...delivery, type: "Opaque" } }),
      denied:
        "Secret prod/ci-token is managed by svctokens, so only the svctokens controller may " +
        'create it, not "alice": to stop a token, revoke its ServiceToken (spec.revoked: true); ' +
        "to replace it, create a new ServiceToken",
    },
  ];

  it.each(cases)("$name", (c) => {
    expect(needsAdminCheck(c.request)).toBe(false);
    // Being an Admin changes nothing here: only the controller writes these Secrets.
    const verdict = decideAdmission(c.request, admissionFacts({ isAdmin: true }));
    if (c.denied === undefined) expect(verdict).toEqual({ allowed: true });
    else expect(verdict).toEqual({ allowed: false, message: c.denied });
  });
});
