import { describe, expect, it } from "vitest";
import { hasManagedByLabel, writtenByController } from "../../../src/domain/secret-trust.ts";
import type { KubeObject, ManagedFieldsEntry } from "../../../src/k8s/object.ts";

const LABELS = { "app.kubernetes.io/managed-by": "svctokens" };
const data = (manager: string): ManagedFieldsEntry => ({
  manager,
  operation: "Update",
  fieldsV1: { "f:data": { "f:token": {} } },
});
const metaOnly = (manager: string): ManagedFieldsEntry => ({
  manager,
  operation: "Update",
  fieldsV1: { "f:metadata": { "f:ownerReferences": {} } },
});
const secret = (labels: Record<string, string>, managedFields: unknown): KubeObject => ({
  metadata: { name: "s", labels, managedFields: managedFields as ManagedFieldsEntry[] },
});

describe("writtenByController", () => {
  it.each<[string, KubeObject, boolean]>([
    ["label and data by the controller", secret(LABELS, [data("svctokens-controller")]), true],
    [
      "the garbage collector touched only metadata",
      secret(LABELS, [data("svctokens-controller"), metaOnly("kube-controller-manager")]),
      true,
    ],
    ["no label", secret({}, [data("svctokens-controller")]), false],
    ["another label value", secret({ "app.kubernetes.io/managed-by": "helm" }, []), false],
    ["data by another manager", secret(LABELS, [data("kubectl-create")]), false],
    [
      "data by the controller and another manager",
      secret(LABELS, [data("svctokens-controller"), data("kubectl-edit")]),
      false,
    ],
    ["no data owner at all", secret(LABELS, [metaOnly("svctokens-controller")]), false],
    ["no managedFields", secret(LABELS, undefined), false],
    ["managedFields not a list", secret(LABELS, { manager: "svctokens-controller" }), false],
    [
      "a null fieldsV1",
      secret(LABELS, [{ manager: "svctokens-controller", fieldsV1: null }]),
      false,
    ],
  ])("%s → %s", (_case, s, expected) => {
    expect(writtenByController(s)).toBe(expected);
  });

  it("reads the label", () => {
    expect(hasManagedByLabel(secret(LABELS, []))).toBe(true);
    expect(hasManagedByLabel({})).toBe(false);
  });
});
