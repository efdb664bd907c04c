// The desired delivery Secret of a ServiceToken: its name, data, shape and what we read back.
import { describe, expect, it } from "vitest";
import {
  deliverySecretData,
  deliverySecretName,
  deliverySecretState,
  desiredDeliverySecret,
  type DeliveryFacts,
} from "../../../../src/controller/service-token/desired.ts";
import type { KubeObject, ManagedFieldsEntry, OwnerReference } from "../../../../src/k8s/object.ts";
import { token } from "../builders.ts";

const VALUE = "svct_0000000000000000000000000000000000000000000000000";
const b64 = (text: string): string => Buffer.from(text).toString("base64");
const unb64 = (text: string | undefined): string | undefined =>
  text === undefined ? undefined : Buffer.from(text, "base64").toString();

const FACTS: DeliveryFacts = {
  value: VALUE,
  username: "ci-bot@service",
  tokenId: "0123456789abcdef",
  expiresAt: new Date("2025-07-01T12:00:00.500Z"),
};

describe("deliverySecretName", () => {
  it.each([
    { name: "ci", secretName: undefined, expected: "ci-token" },
    { name: "deploy.prod", secretName: undefined, expected: "deploy.prod-token" },
    { name: "ci", secretName: "custom", expected: "custom" },
  ])("$name with spec.secretName=$secretName → $expected", ({ name, secretName, expected }) => {
    const t = token({ name, spec: secretName === undefined ? {} : { secretName } });
    expect(deliverySecretName(t)).toBe(expected);
  });
});

describe("deliverySecretData", () => {
  it("base64-encodes the value, username, tokenId and expiry (second precision)", () => {
    const data = deliverySecretData(FACTS);
    expect(data).toEqual({
      token: b64(VALUE),
      username: b64("ci-bot@service"),
      tokenId: b64("0123456789abcdef"),
      expiresAt: b64("2025-07-01T12:00:00Z"),
    });
    expect(unb64(data.token)).toBe(VALUE);
  });

  it("has no expiresAt key for a token that never expires", () => {
    const data = deliverySecretData({ ...FACTS, expiresAt: undefined });
    expect(Object.keys(data).sort()).toEqual(["token", "tokenId", "username"]);
  });
});

describe("desiredDeliverySecret", () => {
  it("is a typed Secret in the token's namespace, owned by and labelled with the token", () => {
    const t = token({ name: "ci", namespace: "prod", uid: "uid-1" });
    expect(desiredDeliverySecret(t, FACTS)).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: {
        name: "ci-token",
        namespace: "prod",
        labels: {
          "app.kubernetes.io/managed-by": "svctokens",
          "svctokens.dev/token-name": "ci",
        },
        ownerReferences: [
          {
            apiVersion: "svctokens.dev/v1alpha1",
            kind: "ServiceToken",
            name: "ci",
            uid: "uid-1",
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      type: "svctokens.dev/service-token",
      data: deliverySecretData(FACTS),
    });
  });

  it("uses spec.secretName", () => {
    const t = token({ spec: { secretName: "elsewhere" } });
    expect(desiredDeliverySecret(t, FACTS).metadata?.name).toBe("elsewhere");
  });
});

describe("deliverySecretState", () => {
  const UID = "uid-token";
  const ownedBy = (uid: string, controller = true): OwnerReference => ({
    apiVersion: "svctokens.dev/v1alpha1",
    kind: "ServiceToken",
    name: "ci",
    uid,
    controller,
  });
  const LABELS = { "app.kubernetes.io/managed-by": "svctokens" };
  const byManager = (manager: string): ManagedFieldsEntry[] => [
    { manager, operation: "Update", fieldsV1: { "f:data": { "f:token": {} }, "f:type": {} } },
  ];
  const secret = (parts: {
    type?: string;
    uid?: string;
    data?: Record<string, string>;
    /** Defaults: our label, the token as controlling owner, data by the controller. */
    labels?: Record<string, string>;
    controllerOwner?: boolean;
    managedFields?: ManagedFieldsEntry[];
  }): KubeObject => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: "ci-token",
      labels: parts.labels ?? LABELS,
      managedFields: parts.managedFields ?? byManager("svctokens-controller"),
      ...(parts.uid
        ? { ownerReferences: [ownedBy(parts.uid, parts.controllerOwner ?? true)] }
        : {}),
    },
    ...(parts.type ? { type: parts.type } : {}),
    ...(parts.data ? { data: parts.data } : {}),
  });
  const TYPE = "svctokens.dev/service-token";

  it.each<{ name: string; secret: KubeObject | undefined; kind: string }>([
    { name: "no Secret", secret: undefined, kind: "missing" },
    {
      name: "no owner",
      secret: secret({ type: TYPE, data: { token: b64(VALUE) } }),
      kind: "foreign",
    },
    {
      name: "owned by another token",
      secret: secret({ type: TYPE, uid: "uid-other", data: { token: b64(VALUE) } }),
      kind: "foreign",
    },
    {
      name: "owned but Opaque",
      secret: secret({ type: "Opaque", uid: UID, data: { token: b64(VALUE) } }),
      kind: "foreign",
    },
    {
      name: "owned but untyped",
      secret: secret({ uid: UID, data: { token: b64(VALUE) } }),
      kind: "foreign",
    },
    {
      name: "owned and typed, but not labelled managed-by svctokens (planted)",
      secret: secret({ type: TYPE, uid: UID, labels: {}, data: { token: b64(VALUE) } }),
      kind: "foreign",
    },
    {
      name: "owned, typed and labelled, but its data written by someone else (planted)",
      secret: secret({
        type: TYPE,
        uid: UID,
        data: { token: b64(VALUE) },
        managedFields: byManager("kubectl-create"),
      }),
      kind: "foreign",
    },
    {
      name: "our data, later changed by another manager",
      secret: secret({
        type: TYPE,
        uid: UID,
        data: { token: b64(VALUE) },
        managedFields: [...byManager("svctokens-controller"), ...byManager("kubectl-edit")],
      }),
      kind: "foreign",
    },
    {
      name: "no managedFields at all",
      secret: secret({ type: TYPE, uid: UID, data: { token: b64(VALUE) }, managedFields: [] }),
      kind: "foreign",
    },
    {
      name: "owned by the token, but not as its controller",
      secret: secret({ type: TYPE, uid: UID, controllerOwner: false, data: { token: b64(VALUE) } }),
      kind: "foreign",
    },
    { name: "owned and typed", secret: secret({ type: TYPE, uid: UID, data: {} }), kind: "ours" },
  ])("$name → $kind", ({ secret, kind }) => {
    expect(deliverySecretState(secret, UID).kind).toBe(kind);
  });

  it("decodes our token value and hands the raw data back", () => {
    const data = { token: b64(VALUE), username: b64("ci-bot@service") };
    expect(deliverySecretState(secret({ type: TYPE, uid: UID, data }), UID)).toEqual({
      kind: "ours",
      value: VALUE,
      data,
    });
  });

  it.each([
    { name: "no token key", data: { username: b64("x") } },
    { name: "no data", data: undefined },
  ])("ours without a value when there is $name", ({ data }) => {
    const state = deliverySecretState(
      secret({ type: TYPE, uid: UID, ...(data ? { data } : {}) }),
      UID,
    );
    expect(state).toEqual({ kind: "ours", value: undefined, data: data ?? {} });
  });

  it("finds its owner reference among several", () => {
    const s: KubeObject = {
      type: TYPE,
      metadata: {
        labels: LABELS,
        managedFields: byManager("svctokens-controller"),
        ownerReferences: [
          { apiVersion: "v1", kind: "ConfigMap", name: "x", uid: "uid-x" },
          ownedBy(UID),
        ],
      },
      data: { token: b64(VALUE) },
    };
    expect(deliverySecretState(s, UID)).toMatchObject({ kind: "ours", value: VALUE });
  });
});
