// Expiry notices and the unused and expired token policies on the real control plane, with the
// controller and webhook under their shipped identities and RBAC, and the controller's clock
// moved forward (days in milliseconds, no sleeping): every notice and policy with its Events,
// nothing Active or revoked ever deleted, notices not repeated by a new controller, and what
// the controller's own identity may not do to tokens.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVICE_TOKENS } from "../../../src/api/index.ts";
import { resourcePath } from "../../../src/k8s/paths.ts";
import { PATCH } from "../../../src/k8s/rest.ts";
import { rfc3339 } from "../../../src/k8s/time.ts";
import { rejectionOf } from "../api/support.ts";
import { eventually } from "../support/cluster.ts";
import { startController } from "../support/controller.ts";
import { controllerKubeconfig } from "../support/operator.ts";
import { Api, type TestObject } from "../support/resources.ts";
import { ShiftableClock } from "../support/shiftable-clock.ts";
import { WebhookRun } from "../webhook/webhook-run.ts";
import { expectForbidden } from "../webhook/webhook-support.ts";

const DAY_MS = 24 * 60 * 60 * 1000;
const LIFECYCLE = { unusedAfterDays: 90, revokeUnusedAfterDays: 120, deleteExpiredAfterDays: 30 };

const clock = new ShiftableClock();
let run: WebhookRun;
let ns: string;
let user: string;

const admin = (): Api => run.admin;
const token = (name: string): Promise<TestObject | undefined> => admin().token(ns, name);
const statusOf = async (name: string): Promise<Record<string, unknown>> =>
  (await token(name))?.status ?? {};

/** Events with `reason` about `name` in `namespace` (ServiceUsers': "default"). */
async function eventsAbout(namespace: string, name: string, reason: string): Promise<unknown[]> {
  const events = await admin().events(namespace);
  return events.filter((e) => e.reason === reason && e.regarding.name === name);
}

/**
 * Marks a token used "now" on the controller's clock, as the webhook's flush would, and waits
 * until the controller's cache has seen it (before time moves on).
 */
async function markUsed(name: string): Promise<void> {
  const lastUsedAt = rfc3339(new Date(clock.now()));
  await admin().rest.request(
    "PATCH",
    resourcePath(SERVICE_TOKENS, { namespace: ns, name, subresource: "status" }),
    { status: { lastUsedAt } },
    PATCH.merge,
  );
  await eventually("the controller to see the use", () => {
    const cached = run.controller?.caches.tokens.get(`${ns}/${name}`);
    const seen = (cached?.status as { lastUsedAt?: string } | undefined)?.lastUsedAt;
    return Promise.resolve(seen === lastUsedAt ? true : undefined);
  });
}

/** Moves the controller's clock and waits until it acted on everything now due. */
async function advanceDays(days: number): Promise<void> {
  await run.controller?.whenIdle();
  clock.advance(days * DAY_MS);
  await run.controller?.whenIdle();
}

beforeAll(async () => {
  run = await WebhookRun.start({ clock, lifecycle: LIFECYCLE });
  ns = await run.namespace("lifecycle");
  user = `lc-${run.run}`;
  await run.createUser(admin(), user, { role: "Member" });
  const tokens: [string, object][] = [
    ["short", { expiresInDays: 5 }],
    ["month", { expiresInDays: 40 }],
    ["idle", {}],
    ["kept", {}],
    ["mine", {}],
    ["revoked-short", { expiresInDays: 1 }],
  ];
  for (const [name, spec] of tokens) {
    await run.createToken(admin(), ns, name, { serviceUser: user, ...spec });
  }
  for (const [name] of tokens) await run.delivered(ns, name);
  for (const name of ["mine", "revoked-short"])
    await admin().patchToken(ns, name, { revoked: true });
  await admin().tokenWhere(ns, "mine", "Revoked", (t) => t.status?.phase === "Revoked");
}, 180_000);

afterAll(async () => {
  await run?.stop();
}, 240_000);

describe("lifecycle policies", () => {
  it("sends the narrowest expiry notice at once to a token born inside a window, on token and user", async () => {
    await eventually("the 7-day notice", async () =>
      (await statusOf("short")).expiryNoticeDays === 7 ? true : undefined,
    );
    expect(await eventsAbout(ns, "short", "ExpiringSoon")).toHaveLength(1);
    const onUser = await eventually("the notice on the ServiceUser", async () => {
      const events = await admin().events("default");
      return events.find((e) => e.reason === "ExpiringSoon" && e.regarding.name === user);
    });
    expect(onUser.type).toBe("Warning");
    expect((await statusOf("month")).expiryNoticeDays).toBeUndefined();
  });

  it("sends the 30-day notice once, and a new controller does not repeat it", async () => {
    await markUsed("kept");
    await advanceDays(10);
    await eventually("the 30-day notice", async () =>
      (await statusOf("month")).expiryNoticeDays === 30 ? true : undefined,
    );
    expect(await eventsAbout(ns, "month", "ExpiringSoon")).toHaveLength(1);
    await admin().tokenWhere(ns, "short", "Expired", (t) => t.status?.phase === "Expired");

    await run.controller?.stop();
    run.controller = await startController({ clock, lifecycle: LIFECYCLE });
    await eventually("the new controller to lead", () =>
      Promise.resolve(run.controller?.isLeader() ? true : undefined),
    );
    await run.controller.whenIdle();
    expect(await eventsAbout(ns, "month", "ExpiringSoon")).toHaveLength(1);
    expect(await eventsAbout(ns, "short", "ExpiringSoon")).toHaveLength(1);
  });

  it("notices unused tokens and deletes tokens Expired for 30 days, never Active or revoked ones", async () => {
    await markUsed("kept");
    await advanceDays(81); // day 91
    const notice = await eventually("the Unused notice", async () => {
      const status = await statusOf("idle");
      return status.unusedNoticeAt === undefined ? undefined : status;
    });
    expect(notice.phase).toBe("Active");
    const [unused] = (await eventsAbout(ns, "idle", "Unused")) as { note: string }[];
    expect(unused?.note).toContain("never used since it was generated");
    expect(await eventsAbout(ns, "kept", "Unused")).toHaveLength(0);

    for (const name of ["short", "month"]) {
      await eventually(`${name} to be deleted`, async () =>
        (await token(name)) ? undefined : true,
      );
      // Gone means its finalizer ran: the hash record was removed. The delivery Secret follows
      // by garbage collection (its owner reference), as for any deleted token.
      expect(await eventsAbout(ns, name, "AutoDeleted")).toHaveLength(1);
    }
    // Expired but revoked, Revoked, Active: all still there.
    expect((await token("revoked-short"))?.status?.phase).toBe("Expired");
    for (const name of ["mine", "idle", "kept"]) expect(await token(name)).toBeDefined();

    run.controller?.refreshLifecycleGauges();
    const metrics = (await run.controller?.metrics.registry.metrics()) ?? "";
    expect(metrics).toContain(`svctokens_tokens_unused{namespace="${ns}"} 1`);
    expect(metrics).toMatch(/svctokens_lifecycle_actions_total\{action="delete-expired"\} 2/);
  });

  it("revokes a token unused for 120 days (reason in status, Event), and leaves it once restored", async () => {
    await markUsed("kept");
    await advanceDays(30); // day 121
    const revoked = await admin().tokenWhere(
      ns,
      "idle",
      "auto-revoked",
      (t) => t.status?.phase === "Revoked" && t.status.revokedReason === "Unused",
    );
    expect(revoked.spec?.revoked).toBe(true);
    expect(revoked.status?.autoRevokedAt).toEqual(expect.any(String));
    expect(await eventsAbout(ns, "idle", "AutoRevoked")).toHaveLength(1);
    expect((await token("kept"))?.status?.phase).toBe("Active");
    expect((await token("mine"))?.status?.revokedReason).toBeUndefined();

    await admin().patchToken(ns, "idle", { revoked: false });
    await admin().tokenWhere(
      ns,
      "idle",
      "restored, reason gone",
      (t) => t.status?.phase === "Active" && t.status.revokedReason === undefined,
    );
    await run.controller?.whenIdle();
    expect((await token("idle"))?.spec?.revoked).toBe(false);
    expect(await eventsAbout(ns, "idle", "AutoRevoked")).toHaveLength(1);
  });

  it("the controller's identity may not restore, edit or delete tokens beyond the policies", async () => {
    const controller = new Api(await controllerKubeconfig());
    const path = (name: string): string => resourcePath(SERVICE_TOKENS, { namespace: ns, name });
    try {
      const attacks: [string, () => Promise<unknown>, string][] = [
        [
          "restore a Revoked token",
          () =>
            controller.rest.request(
              "PATCH",
              path("mine"),
              { spec: { revoked: false } },
              PATCH.merge,
            ),
          "is not an Admin",
        ],
        [
          "edit an Active token",
          () =>
            controller.rest.request(
              "PATCH",
              path("kept"),
              { spec: { description: "x" } },
              PATCH.merge,
            ),
          "is not an Admin",
        ],
        [
          "delete an Active token",
          () => controller.rest.request("DELETE", path("kept")),
          "deletes only Expired tokens that are not revoked",
        ],
        [
          "delete a Revoked token",
          () => controller.rest.request("DELETE", path("mine")),
          "deletes only Expired tokens that are not revoked",
        ],
        [
          "delete an Expired token an Admin revoked",
          () => controller.rest.request("DELETE", path("revoked-short")),
          "deletes only Expired tokens that are not revoked",
        ],
      ];
      for (const [, attack, message] of attacks)
        expectForbidden(await rejectionOf(attack()), message);
    } finally {
      controller.rest.close();
    }
    for (const name of ["mine", "kept", "revoked-short"]) expect(await token(name)).toBeDefined();
  });
});
