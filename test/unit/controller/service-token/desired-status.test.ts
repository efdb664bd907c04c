// The desired status of a ServiceToken: phase verdicts, a missing ServiceUser, status fields.
import { describe, expect, it } from "vitest";
import { ServiceTokenPhase, type ServiceTokenStatus } from "../../../../src/api/index.ts";
import {
  desiredTokenStatus,
  missingUser,
  ownerUserUid,
  phaseVerdict,
  type TokenStatusFacts,
} from "../../../../src/controller/service-token/desired.ts";
import { DAY_MS, NOW, at, token } from "../builders.ts";

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
      currentValueCreatedAt: at(-DAY_MS),
      expiresAt: at(29 * DAY_MS),
      expiresIn: "28d",
      audiencesDisplay: "any",
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

  it("omits what is not known before the token is generated (its audiences are known)", () => {
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
    expect(Object.keys(status).sort()).toEqual([
      "audiencesDisplay",
      "conditions",
      "observedGeneration",
      "username",
    ]);
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

  it.each<{ audiences: string[] | undefined; display: string }>([
    { audiences: undefined, display: "any" },
    { audiences: ["scim"], display: "scim" },
    { audiences: ["scim", "https://api.example.com"], display: "scim,https://api.example.com" },
  ])("audiencesDisplay joins spec.audiences for kubectl: $display", ({ audiences, display }) => {
    const base = facts();
    const status = desiredTokenStatus({
      ...base,
      token: { ...base.token, spec: { ...base.token.spec, ...(audiences ? { audiences } : {}) } },
    });
    expect(status.audiencesDisplay).toBe(display);
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

describe("ownerUserUid: the uid of a token's ServiceUser owner reference", () => {
  const ref = (apiVersion: string, kind: string, uid: string): object => ({
    apiVersion,
    kind,
    name: "ci-bot",
    uid,
  });
  it.each([
    ["ours", [ref("svctokens.dev/v1alpha1", "ServiceUser", "u-1")], "u-1"],
    [
      "another group's ServiceUser is not ours",
      [ref("evil.example/v1", "ServiceUser", "u-2")],
      undefined,
    ],
    [
      "ours after a look-alike",
      [
        ref("evil.example/v1", "ServiceUser", "u-2"),
        ref("svctokens.dev/v1alpha1", "ServiceUser", "u-1"),
      ],
      "u-1",
    ],
    ["none", [], undefined],
  ])("%s", (_case, ownerReferences, uid) => {
    expect(ownerUserUid(token({ ownerReferences }))).toBe(uid);
  });
});
