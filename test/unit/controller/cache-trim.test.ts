import { describe, expect, it } from "vitest";
import {
  trimForCache,
  trimSecretForCache,
  trimTokenForCache,
} from "../../../src/controller/cache-trim.ts";
import { revokedByController } from "../../../src/controller/lifecycle/token-facts.ts";
import { writtenByController } from "../../../src/domain/secret-trust.ts";
import {
  CONTROLLER_FIELD_MANAGER,
  MANAGED_BY_LABEL_KEY,
  MANAGED_BY_LABEL_VALUE,
} from "../../../src/api/index.ts";
import type { KubeObject, ManagedFieldsEntry } from "../../../src/k8s/object.ts";

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
const entry = (manager: string, fields: Record<string, unknown>): ManagedFieldsEntry => ({
  manager,
  operation: "Apply",
  fieldsV1: fields,
});
const secret = (managedFields: ManagedFieldsEntry[]): KubeObject => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: {
    name: "s",
    namespace: "ns",
    labels: { [MANAGED_BY_LABEL_KEY]: MANAGED_BY_LABEL_VALUE },
    managedFields,
  },
  data: { token: "dg==" },
});
const DATA = { "f:data": { "f:token": {} }, "f:metadata": { "f:labels": {} } };
const LABELS = { "f:metadata": { "f:labels": {} } };

describe("trimSecretForCache keeps the trust check's answer", () => {
  it.each([
    { name: "only the controller set data", fields: [entry(CONTROLLER_FIELD_MANAGER, DATA)] },
    {
      name: "someone else set data",
      fields: [entry(CONTROLLER_FIELD_MANAGER, DATA), entry("oscar", DATA)],
    },
    {
      name: "someone else touched only labels",
      fields: [entry(CONTROLLER_FIELD_MANAGER, DATA), entry("oscar", LABELS)],
    },
    { name: "nobody set data", fields: [entry("oscar", LABELS)] },
    { name: "no managedFields", fields: [] },
  ])("$name", ({ fields }) => {
    const full = secret(fields);
    const trimmed = trimSecretForCache(full);
    expect(writtenByController(trimmed)).toBe(writtenByController(full));
    expect(trimmed.data).toEqual(full.data);
    expect(JSON.stringify(trimmed).length).toBeLessThanOrEqual(JSON.stringify(full).length);
  });
});

describe("trimTokenForCache keeps whether the controller set spec.revoked", () => {
  const REVOKED = { "f:spec": { "f:revoked": {} } };
  const revokedToken = (managedFields: ManagedFieldsEntry[]): KubeObject => ({
    apiVersion: "svctokens.dev/v1alpha1",
    kind: "ServiceToken",
    metadata: { name: "t", namespace: "ns", managedFields },
    spec: { serviceUser: "u", revoked: true },
  });
  it.each([
    { name: "the controller revoked", fields: [entry(CONTROLLER_FIELD_MANAGER, REVOKED)] },
    { name: "an Admin revoked", fields: [entry("kubectl", REVOKED)] },
    {
      name: "the controller wrote status only",
      fields: [{ ...entry(CONTROLLER_FIELD_MANAGER, { "f:status": {} }), subresource: "status" }],
    },
    { name: "the controller set only metadata", fields: [entry(CONTROLLER_FIELD_MANAGER, LABELS)] },
    { name: "no managedFields", fields: [] },
  ])("$name", ({ fields }) => {
    const full = revokedToken(fields);
    const trimmed = trimTokenForCache(full);
    expect(revokedByController(trimmed)).toBe(revokedByController(full));
    expect({ ...trimmed, metadata: { ...trimmed.metadata, managedFields: [] } }).toEqual({
      ...full,
      metadata: { ...full.metadata, managedFields: [] },
    });
  });
});

describe("trimSecretForCache", () => {
  it("drops the uid and creation time nothing reads from a cached Secret", () => {
    const full = secret([entry(CONTROLLER_FIELD_MANAGER, DATA)]);
    full.metadata = { ...full.metadata, uid: "u", creationTimestamp: "2026-01-01T00:00:00Z" };
    const trimmed = trimSecretForCache(full);
    expect(trimmed.metadata?.uid).toBeUndefined();
    expect(trimmed.metadata?.creationTimestamp).toBeUndefined();
    expect(trimmed.metadata?.name).toBe("s");
    expect(full.metadata.uid).toBe("u"); // the input is left alone
  });
});

describe("trimForCache", () => {
  it("drops managedFields and kubectl's last-applied copy, keeps everything else", () => {
    const token: KubeObject = {
      apiVersion: "svctokens.dev/v1alpha1",
      kind: "ServiceToken",
      metadata: {
        name: "t",
        namespace: "ns",
        resourceVersion: "7",
        annotations: { [LAST_APPLIED]: "{}", "svctokens.dev/rotate-requested-at": "x" },
        managedFields: [entry("kubectl", LABELS)],
        finalizers: ["f"],
      },
      spec: { serviceUser: "u" },
      status: { tokenId: "0123456789abcdef" },
    };
    expect(trimForCache(token)).toEqual({
      ...token,
      metadata: {
        name: "t",
        namespace: "ns",
        resourceVersion: "7",
        annotations: { "svctokens.dev/rotate-requested-at": "x" },
        finalizers: ["f"],
      },
    });
    expect(token.metadata?.managedFields).toHaveLength(1); // the input is left alone
  });
});
