import { describe, expect, it } from "vitest";
import { ServiceTokenPhase, type ServiceTokenStatus } from "../../../../src/api/index.ts";
import {
  deliverySecretData,
  deliverySecretName,
  deliverySecretState,
  desiredDeliverySecret,
  desiredTokenStatus,
  missingUser,
  phaseVerdict,
  type DeliveryFacts,
  type TokenStatusFacts,
} from "../../../../src/controller/service-token/desired.ts";
import type { KubeObject, ManagedFieldsEntry, OwnerReference } from "../../../../src/k8s/object.ts";
import { DAY_MS, NOW, at, token } from "../builders.ts";

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

describe("phaseVerdict: every phase of a generated token is settled (Ready)", () => {
  it.each([
    { phase: ServiceTokenPhase.Active, ready: true, reason: "Active", says: /active/ },
    { phase: ServiceTokenPhase.Revoked, ready: true, reason: "Revoked", says: /spec\.revoked/ },
    {
      phase: ServiceTokenPhase.Expired,
      ready: true,
      reason: "Expired",
      says: /cannot be restored.*new ServiceToken/,
    },
  ])("$phase → ready=$ready, reason $reason", ({ phase, ready, reason, says }) => {
    const verdict = phaseVerdict(phase);
    expect(verdict.ready).toBe(ready);
    expect(verdict.reason).toBe(reason);
    expect(verdict.message).toMatch(says);
  });
});

describe("missingUser", () => {
  it("is not ready (waiting), names the missing ServiceUser and says what happens next", () => {
    const verdict = missingUser(token({ spec: { serviceUser: "ghost" } }));
    expect(verdict).toMatchObject({ ready: false, reason: "ServiceUserNotFound" });
    expect(verdict.message).toContain("ServiceUser ghost does not exist");
  });
});

describe("desiredTokenStatus", () => {
  const CREATED = new Date(NOW.getTime() - DAY_MS);
  const EXPIRES = new Date(NOW.getTime() + 29 * DAY_MS);
  const earlier = at(-DAY_MS / 2);

  function facts(
    parts: { revoked?: boolean; previous?: ServiceTokenStatus; generation?: number } = {},
    overrides: Partial<TokenStatusFacts> = {},
  ): TokenStatusFacts {
    const phase = parts.revoked ? ServiceTokenPhase.Revoked : ServiceTokenPhase.Active;
    return {
      token: token({
        generation: parts.generation ?? 2,
        spec: { revoked: parts.revoked ?? false },
        ...(parts.previous ? { status: parts.previous } : {}),
      }),
      phase,
      tokenId: "0123456789abcdef",
      username: "ci-bot@service",
      secretName: "ci-token",
      createdAt: CREATED,
      expiresAt: EXPIRES,
      verdict: phaseVerdict(phase),
      now: NOW,
      ...overrides,
    };
  }

  it("reports everything about an Active token", () => {
    expect(desiredTokenStatus(facts())).toEqual({
      phase: "Active",
      tokenId: "0123456789abcdef",
      username: "ci-bot@service",
      secretName: "ci-token",
      createdAt: at(-DAY_MS),
      expiresAt: at(29 * DAY_MS),
      expiresIn: "28d",
      conditions: [
        {
          type: "Ready",
          status: "True",
          reason: "Active",
          message: "The token is active.",
          lastTransitionTime: at(0),
          observedGeneration: 2,
        },
      ],
      observedGeneration: 2,
    });
  });

  it.each<{
    name: string;
    revoked: boolean;
    previous: ServiceTokenStatus;
    revokedAt: string | undefined;
  }>([
    { name: "set now on first revocation", revoked: true, previous: {}, revokedAt: at(0) },
    {
      name: "kept from the previous status",
      revoked: true,
      previous: { revokedAt: earlier },
      revokedAt: earlier,
    },
    {
      name: "cleared on restore",
      revoked: false,
      previous: { revokedAt: earlier },
      revokedAt: undefined,
    },
    { name: "absent while never revoked", revoked: false, previous: {}, revokedAt: undefined },
  ])("revokedAt $name", ({ revoked, previous, revokedAt }) => {
    expect(desiredTokenStatus(facts({ revoked, previous })).revokedAt).toBe(revokedAt);
  });

  it("keeps revokedAt for a revoked token that has since expired", () => {
    const status = desiredTokenStatus(
      facts(
        { revoked: true, previous: { revokedAt: earlier } },
        { phase: ServiceTokenPhase.Expired },
      ),
    );
    expect(status).toMatchObject({ phase: "Expired", revokedAt: earlier });
  });

  it("omits what is not known before the token is generated", () => {
    const status = desiredTokenStatus(
      facts(
        { revoked: true },
        {
          phase: undefined,
          tokenId: undefined,
          secretName: undefined,
          createdAt: undefined,
          expiresAt: undefined,
          verdict: missingUser(token()),
        },
      ),
    );
    expect(Object.keys(status).sort()).toEqual(["conditions", "observedGeneration", "username"]);
    expect(status.conditions).toMatchObject([
      { type: "Ready", status: "False", reason: "ServiceUserNotFound" },
      { type: "Reconciling", status: "True", reason: "ServiceUserNotFound" },
    ]);
  });

  it("omits expiresAt for a token that never expires and secretName for a client hash", () => {
    const status = desiredTokenStatus(facts({}, { expiresAt: undefined, secretName: undefined }));
    expect(status).not.toHaveProperty("expiresAt");
    expect(status).not.toHaveProperty("secretName");
    expect(status.phase).toBe("Active");
    expect(status.expiresIn).toBe("never");
  });

  it.each([{ generation: 1 }, { generation: 9 }])(
    "observedGeneration follows metadata.generation ($generation)",
    ({ generation }) => {
      const status = desiredTokenStatus(facts({ generation, previous: { observedGeneration: 1 } }));
      expect(status.observedGeneration).toBe(generation);
      expect(status.conditions?.[0]?.observedGeneration).toBe(generation);
    },
  );

  it("keeps the Ready transition time while Ready holds (Active → Revoked) and moves it on a flip", () => {
    const previous: ServiceTokenStatus = {
      conditions: [
        {
          type: "Ready",
          status: "True",
          reason: "Active",
          message: "",
          lastTransitionTime: earlier,
        },
      ],
    };
    const same = desiredTokenStatus(facts({ previous }));
    const revoked = desiredTokenStatus(facts({ revoked: true, previous }));
    const conflict = desiredTokenStatus(
      facts(
        { previous },
        { verdict: { ready: false, reason: "SecretConflict", message: "taken" } },
      ),
    );
    expect(same.conditions?.[0]?.lastTransitionTime).toBe(earlier);
    expect(revoked.conditions?.[0]).toMatchObject({
      reason: "Revoked",
      lastTransitionTime: earlier,
    });
    expect(conflict.conditions?.[0]?.lastTransitionTime).toBe(at(0));
    expect(conflict.conditions?.[1]).toMatchObject({ type: "Stalled", status: "True" });
  });
});
