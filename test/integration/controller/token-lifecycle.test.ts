// The ServiceToken rules of the controller, each against the real control plane, with the
// controller running under its own least-privilege identity.
import { describe, expect, it } from "vitest";
import { readHashRecord } from "../../../src/domain/hash-record.ts";
import { hashToken, isWellFormedToken, tokenIdFromHash } from "../../../src/tokens/index.ts";
import { eventually, uniqueSuffix } from "../support/cluster.ts";
import {
  conditionStatuses,
  readyCondition,
  secretValue,
  type TestObject,
} from "../support/resources.ts";
import { refreshTokenGauges } from "../../../src/controller/token-gauges.ts";
import {
  active,
  DAY_MS,
  deliveredValues,
  hashRecordOf,
  lifecycleWorld,
  tokensOf,
  uidOf,
} from "./lifecycle-world.ts";

describe("controller: ServiceToken lifecycle", () => {
  const w = lifecycleWorld();
  const { api, clock, logLines } = w;

  it("generates a value once: delivery Secret and hash record agree, status tells the rest", async () => {
    await api.createToken(w.ns, "deploy", {
      serviceUser: w.user,
      expiresInDays: 90,
      description: "deploys",
    });
    const token = await api.tokenWhere(w.ns, "deploy", "Active", active);
    const secret = await api.secret(w.ns, "deploy-token");
    const value = secretValue(secret, "token") ?? "";
    expect(isWellFormedToken(value)).toBe(true);
    expect(secret?.type).toBe("svctokens.dev/service-token");
    expect(secretValue(secret, "username")).toBe(`${w.user}@service`);
    const hash = hashToken(value);
    expect(secretValue(secret, "tokenId")).toBe(tokenIdFromHash(hash));
    expect(secret?.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: "ServiceToken",
      name: "deploy",
      uid: uidOf(token),
    });

    const record = readHashRecord((await hashRecordOf(api, token)) ?? {});
    expect(record?.hash).toBe(hash);
    expect(record).toMatchObject({
      tokenNamespace: w.ns,
      tokenName: "deploy",
      tokenUid: uidOf(token),
    });

    const status = token.status ?? {};
    expect(status).toMatchObject({
      tokenId: tokenIdFromHash(hash),
      username: `${w.user}@service`,
      secretName: "deploy-token",
    });
    const created = Date.parse(String(status.createdAt));
    expect(Date.parse(String(status.expiresAt)) - created).toBe(90 * DAY_MS);
    expect(secretValue(secret, "expiresAt")).toBe(status.expiresAt);
    expect(readyCondition(token)).toMatchObject({ status: "True", reason: "Active" });
    expect(conditionStatuses(token)).toEqual({ Ready: "True" });
    expect(status.expiresIn).toBe("89d");
    expect(token.metadata?.finalizers).toContain("svctokens.dev/hash-record");
    expect(token.metadata?.ownerReferences).toEqual([
      expect.objectContaining({ kind: "ServiceUser", name: w.user }),
    ]);

    // Kept: another look (a relist) does not change the value.
    await w.controller.whenIdle();
    expect(secretValue(await api.secret(w.ns, "deploy-token"), "token")).toBe(value);
  });

  it("never overwrites a Secret it does not own", async () => {
    await api.rest.request("POST", `/api/v1/namespaces/${w.ns}/secrets`, {
      metadata: { name: "taken-token" },
      stringData: { mine: "keep me" },
    });
    await api.createToken(w.ns, "taken", { serviceUser: w.user });
    const token = await api.tokenWhere(
      w.ns,
      "taken",
      "SecretConflict",
      (t) => readyCondition(t)?.reason === "SecretConflict",
    );
    // A person must act: Stalled, which kstatus (Flux) reads as Failed.
    expect(conditionStatuses(token)).toEqual({ Ready: "False", Stalled: "True" });
    expect(readyCondition(token)?.message).toContain(`Secret ${w.ns}/taken-token`);
    const secret = await api.secret(w.ns, "taken-token");
    expect(secretValue(secret, "mine")).toBe("keep me");
    expect(secretValue(secret, "token")).toBeUndefined();
    expect(await hashRecordOf(api, token)).toBeUndefined();
    await api.eventAbout(w.ns, "taken", "SecretConflict", "Warning");
  });

  it("waits for a missing ServiceUser (Reconciling, a Warning Event), then generates", async () => {
    const late = `late-${uniqueSuffix()}`;
    await api.createToken(w.ns, "early", { serviceUser: late });
    const waiting = await api.tokenWhere(
      w.ns,
      "early",
      "ServiceUserNotFound",
      (t) => readyCondition(t)?.reason === "ServiceUserNotFound",
    );
    expect(conditionStatuses(waiting)).toEqual({ Ready: "False", Reconciling: "True" });
    expect(waiting.status?.phase).toBeUndefined();
    expect(waiting.status?.expiresIn).toBeUndefined();
    expect(await api.secret(w.ns, "early-token")).toBeUndefined();
    await api.eventAbout(w.ns, "early", "ServiceUserNotFound", "Warning");
    await api.createUser(late, { role: "Member" });
    const generated = await api.tokenWhere(w.ns, "early", "Active", active);
    // Reconciling is gone, not False: kstatus reads its absence.
    expect(conditionStatuses(generated)).toEqual({ Ready: "True" });
    expect(secretValue(await api.secret(w.ns, "early-token"), "token")).toBeDefined();
  });

  it("generates nothing for a deactivated ServiceUser", async () => {
    const idle = `idle-${uniqueSuffix()}`;
    await api.createUser(idle, { role: "Member", active: false });
    await api.createToken(w.ns, "idle", { serviceUser: idle });
    const token = await api.tokenWhere(
      w.ns,
      "idle",
      "ServiceUserDeactivated",
      (t) => readyCondition(t)?.reason === "ServiceUserDeactivated",
    );
    expect(token.status?.phase).toBeUndefined();
    expect(conditionStatuses(token)).toEqual({ Ready: "False", Stalled: "True" });
    expect(await api.secret(w.ns, "idle-token")).toBeUndefined();
  });

  it("shows Expired at expiresAt without any other event (clock moved a day)", async () => {
    await api.createToken(w.ns, "short", { serviceUser: w.user, expiresInDays: 1 });
    const token = await api.tokenWhere(w.ns, "short", "Active", active);
    await w.controller.whenIdle();
    clock.advance(DAY_MS + 1000);
    const expired = await api.tokenWhere(
      w.ns,
      "short",
      "Expired",
      (t) => t.status?.phase === "Expired",
    );
    // Expired is a settled state: Ready=True, reason Expired (kstatus: Current).
    expect(readyCondition(expired)).toMatchObject({ status: "True", reason: "Expired" });
    expect(expired.status?.expiresIn).toBe("expired");
    expect(expired.status?.expiresAt).toBe(token.status?.expiresAt);
    await api.eventAbout(w.ns, "short", "Expired");
  });

  it("reflects revoke and restore at once", async () => {
    await api.createToken(w.ns, "toggle", { serviceUser: w.user });
    await api.tokenWhere(w.ns, "toggle", "Active", active);
    await api.patchToken(w.ns, "toggle", { revoked: true });
    const revoked = await api.tokenWhere(
      w.ns,
      "toggle",
      "Revoked",
      (t) => t.status?.phase === "Revoked",
    );
    expect(revoked.status?.revokedAt).toEqual(expect.any(String));
    expect(readyCondition(revoked)).toMatchObject({ status: "True", reason: "Revoked" });
    await api.patchToken(w.ns, "toggle", { revoked: false });
    const restored = await api.tokenWhere(w.ns, "toggle", "Active again", active);
    expect(restored.status?.revokedAt).toBeUndefined();
  });

  it("regenerates when the delivery Secret is deleted: old value dead, Event Regenerated", async () => {
    await api.createToken(w.ns, "lost", { serviceUser: w.user });
    const token = await api.tokenWhere(w.ns, "lost", "Active", active);
    const oldValue = secretValue(await api.secret(w.ns, "lost-token"), "token") ?? "";
    await api.delete(`/api/v1/namespaces/${w.ns}/secrets/lost-token`);
    const newValue = await eventually("a new value", async () => {
      const value = secretValue(await api.secret(w.ns, "lost-token"), "token");
      return value && value !== oldValue ? value : undefined;
    });
    const record = await eventually("the record to follow", async () => {
      const parsed = readHashRecord((await hashRecordOf(api, token)) ?? {});
      return parsed?.hash === hashToken(newValue) ? parsed : undefined;
    });
    expect(record.hash).not.toBe(hashToken(oldValue));
    expect(record.createdAt.toISOString().replace(".000", "")).toBe(token.status?.createdAt);
    await api.tokenWhere(
      w.ns,
      "lost",
      "new tokenId",
      (t) => t.status?.tokenId === tokenIdFromHash(hashToken(newValue)),
    );
    await api.eventAbout(w.ns, "lost", "Regenerated");
  });

  it("takes a client-generated token by hash: record only, no delivery Secret", async () => {
    const hash = hashToken("svct_client-side-value-never-sent");
    await api.createToken(w.ns, "byo", { serviceUser: w.user, tokenHash: hash });
    const token = await api.tokenWhere(w.ns, "byo", "Active", active);
    expect(token.status?.tokenId).toBe(tokenIdFromHash(hash));
    expect(token.status?.secretName).toBeUndefined();
    expect(await api.secret(w.ns, "byo-token")).toBeUndefined();
    expect(readHashRecord((await hashRecordOf(api, token)) ?? {})?.hash).toBe(hash);
  });

  it("removes the hash record when a token is deleted (finalizer)", async () => {
    await api.createToken(w.ns, "bye", { serviceUser: w.user });
    const token = await api.tokenWhere(w.ns, "bye", "Active", active);
    expect(await hashRecordOf(api, token)).toBeDefined();
    await api.delete(`/apis/svctokens.dev/v1alpha1/namespaces/${w.ns}/servicetokens/bye`);
    await eventually("the token to be gone", async () =>
      (await api.token(w.ns, "bye")) ? undefined : true,
    );
    expect(await hashRecordOf(api, token)).toBeUndefined();
  });

  /** A user with one token it owns, revoked and deactivated so that the user may be deleted. */
  async function deletableUserWithToken(user: string, tokenName: string): Promise<TestObject> {
    await api.createUser(user, { role: "Member" });
    await api.createToken(w.ns, tokenName, { serviceUser: user });
    const token = await api.tokenWhere(
      w.ns,
      tokenName,
      "Active with an owner",
      (t) => active(t) && (t.metadata?.ownerReferences?.length ?? 0) > 0,
    );
    await api.patchToken(w.ns, tokenName, { revoked: true });
    await api.patchUser(user, { active: false });
    return token;
  }

  it("garbage-collects the tokens of a deleted ServiceUser, and keeps them when it is deleted with --cascade=orphan", async () => {
    const leaving = `leaving-${uniqueSuffix()}`;
    const token = await deletableUserWithToken(leaving, "orphan");
    await api.delete(`/apis/svctokens.dev/v1alpha1/serviceusers/${leaving}`);
    // Also how this test knows kube-controller-manager's garbage collector watches ServiceTokens:
    // it finds new resource types by discovery every 30 s, and a fresh control plane's CRDs are
    // newer than that. Orphaning a user's tokens before then would leave them unseen, and
    // collected later for their dangling owner reference.
    await eventually(
      "the token to be garbage-collected",
      async () => ((await api.token(w.ns, "orphan")) ? undefined : true),
      60_000,
    );
    await eventually("its hash record to be gone", async () =>
      (await hashRecordOf(api, token)) ? undefined : true,
    );

    const orphaning = `orphaning-${uniqueSuffix()}`;
    const kept = await deletableUserWithToken(orphaning, "kept");
    // The garbage collector takes the owner reference off while the user is being deleted; the
    // controller must not put it back, or the token is collected once the user is gone.
    await api.rest.request(
      "DELETE",
      `/apis/svctokens.dev/v1alpha1/serviceusers/${orphaning}?propagationPolicy=Orphan`,
    );
    await eventually("the user to be gone", async () =>
      (await api.user(orphaning)) ? undefined : true,
    );
    await w.controller.whenIdle();
    const after = await api.token(w.ns, "kept");
    expect(after?.metadata?.uid).toBe(kept.metadata?.uid);
    expect(after?.metadata?.ownerReferences ?? []).toEqual([]);
    expect(await hashRecordOf(api, kept)).toBeDefined();
  });

  it("reports metrics and Events, and logs object identities but never a token value", async () => {
    await w.controller.whenIdle();
    refreshTokenGauges(w.controller.caches, w.controller.metrics);
    const metrics = await w.controller.metrics.registry.metrics();
    expect(metrics).toMatch(
      /svctokens_controller_reconciles_total\{kind="ServiceToken",result="success"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /svctokens_controller_reconcile_duration_seconds_count\{kind="ServiceUser"\} [1-9]/,
    );
    expect(metrics).toMatch(/svctokens_tokens\{phase="Active"\} [1-9]/);
    expect(metrics).toMatch(/svctokens_tokens\{phase="Expired"\} [1-9]/);
    expect(metrics).toMatch(
      new RegExp(
        `svctokens_token_expiry_timestamp_seconds\\{namespace="${w.ns}",name="deploy",token_id="[0-9a-f]{16}"\\}`,
      ),
    );

    const events = await api.events(w.ns);
    const reasons = new Set(events.map((e) => `${e.regarding.name}:${e.reason}`));
    for (const expected of ["toggle:Revoked", "toggle:Restored"])
      expect(reasons).toContain(expected);
    // A first value is not an Event (Ready says it): an Event per token is a write per token.
    expect(reasons).not.toContain("deploy:Generated");

    const values = await deliveredValues(api, w.ns);
    expect(values.length).toBeGreaterThan(3);
    const log = logLines.join("");
    expect(log).toMatch(/"kind":"ServiceToken","namespace":"[^"]+","name":"deploy"/);
    expect(log).toMatch(/"tokenId":"[0-9a-f]{16}"/);
    for (const value of values) expect(log).not.toContain(value);
    expect(log).not.toMatch(/svct_[0-9A-Za-z]{20}/);
  });

  it("keeps the ServiceUser's status: identity, counts by phase, last used", async () => {
    const usedAt = "2026-01-02T03:04:05Z";
    await api.rest.request(
      "PATCH",
      `/apis/svctokens.dev/v1alpha1/namespaces/${w.ns}/servicetokens/deploy/status`,
      { status: { lastUsedAt: usedAt } },
      "application/merge-patch+json",
    );
    const tokens = await tokensOf(api, w.ns, w.user);
    const activeCount = tokens.filter(active).length;
    const status = await eventually("the user status to count its tokens", async () => {
      const current = (await api.user(w.user))?.status;
      return current?.lastUsedAt === usedAt &&
        current.tokens === tokens.length &&
        current.activeTokens === activeCount
        ? current
        : undefined;
    });
    expect(activeCount).toBeGreaterThan(0);
    expect(activeCount).toBeLessThan(tokens.length);
    expect(status).toMatchObject({
      phase: "Active",
      username: `${w.user}@service`,
      groups: [
        "svctokens:service-users",
        "svctokens:role:member",
        "svctokens:team:platform",
        "svctokens:team:platform:member",
      ],
      teamsDisplay: "platform",
    });
    expect(readyCondition({ status })).toMatchObject({ status: "True" });
    // What `kubectl get st -o wide` shows as AUDIENCES for a token without audiences.
    expect((await api.token(w.ns, "deploy"))?.status?.audiencesDisplay).toBe("any");
  });
});
