// The authorization webhook at work: kube-apiserver keeps a token's successful authentication
// for 10 s, yet a revoked, expired or regenerated token, and a downgraded role, are refused on
// the next request, because /authorize is asked on every request made with a Service Token.
// Latencies are reported, not asserted (bench/revocation-latency.ts gives the figures).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resourcePath, SECRETS } from "../../../src/k8s/paths.ts";
import { ShiftableClock } from "../support/shiftable-clock.ts";
import type { Api } from "../support/resources.ts";
import {
  asToken,
  createConfigMap,
  grantRoleRights,
  listConfigMaps,
  percentiles,
  refused,
  timeUntil,
} from "./authorizer-support.ts";
import { WebhookRun, type DeliveredToken } from "./webhook-run.ts";
import { webhookMetric } from "./webhook-http.ts";

const DAY_MS = 24 * 60 * 60 * 1000;
/** How long the expiring token lives in real time. */
const EXPIRES_AFTER_MS = 20_000;
const TRIES = 20;

const clock = new ShiftableClock();
let run: WebhookRun;
let ns: string;
let expiring: DeliveredToken;

const report = (what: string, samples: number[]): void => {
  const { p50, p99, max } = percentiles(samples);
  const fmt = (ms: number): string => `${ms.toFixed(1)} ms`;
  process.stderr.write(
    `[authorizer] ${what}: n=${samples.length} p50=${fmt(p50)} p99=${fmt(p99)} max=${fmt(max)}\n`,
  );
};

/** A Service User with one token in `ns`, delivered. */
async function userWithToken(name: string, role: string): Promise<[string, DeliveredToken, Api]> {
  const user = `${name}-${run.run}`;
  await run.createUser(run.admin, user, { role });
  await run.createToken(run.admin, ns, name, { serviceUser: user });
  const token = await run.delivered(ns, name);
  return [user, token, await asToken(run, token.value)];
}

beforeAll(async () => {
  run = await WebhookRun.start({ clock });
  ns = await run.namespace("authz");
  await grantRoleRights(ns);
  // Generated "almost a day ago" by the controller's clock: the 1-day token expires
  // EXPIRES_AFTER_MS from now for the webhook (real time) too.
  clock.advance(-(DAY_MS - EXPIRES_AFTER_MS));
  const user = `expiring-${run.run}`;
  await run.createUser(run.admin, user, { role: "Member" });
  await run.createToken(run.admin, ns, "expiring", { serviceUser: user, expiresInDays: 1 });
  expiring = await run.delivered(ns, "expiring");
  clock.advance(DAY_MS - EXPIRES_AFTER_MS);
}, 240_000);

afterAll(async () => {
  await run?.stop();
}, 240_000);

describe("kube-apiserver with the svctokens authorizer", () => {
  it(`refuses a revoked token on the next request (${TRIES} revocations)`, async () => {
    const [, , api] = await userWithToken("revoked", "Member");
    const latencies: number[] = [];
    const answers = new Set<string>();
    for (let i = 0; i < TRIES; i++) {
      // A success just before: kube-apiserver's authentication cache holds the token.
      expect(await listConfigMaps(api, ns)).toEqual({ status: 200, message: "" });
      await run.admin.patchToken(ns, "revoked", { revoked: true });
      const { ms, answer } = await timeUntil(
        () => listConfigMaps(api, ns),
        refused,
        performance.now(),
      );
      latencies.push(ms);
      answers.add(answer.status === 403 ? answer.message.replace(/^.*: svctokens: /, "") : "401");
      await run.admin.patchToken(ns, "revoked", { revoked: false });
      await timeUntil(
        () => listConfigMaps(api, ns),
        (a) => a.status === 200,
        performance.now(),
      );
    }
    report("revoke → refused through kube-apiserver", latencies);
    // Refused by the authorizer while kube-apiserver still held the authentication.
    expect([...answers].some((a) => a.includes("is revoked"))).toBe(true);
    expect(
      await webhookMetric(run.service, "svctokens_webhook_authorizations_total", {
        decision: "deny",
        reason: "revoked",
      }),
    ).toBeGreaterThanOrEqual(1);
  });

  it("refuses a token once it expires (the controller's clock made it nearly a day old)", async () => {
    const api = await asToken(run, expiring.value);
    expect((await listConfigMaps(api, ns)).status).toBe(200);
    const { answer } = await timeUntil(() => listConfigMaps(api, ns), refused, performance.now());
    // 403 from the authorizer while the authentication is cached, 401 after.
    if (answer.status === 403) expect(answer.message).toContain("has expired");
    await run.admin.tokenWhere(ns, "expiring", "Expired", (t) => t.status?.phase === "Expired");
  });

  it("refuses the old value once the delivery Secret is deleted and the token regenerated", async () => {
    const [, before, api] = await userWithToken("regenerated", "Member");
    expect((await listConfigMaps(api, ns)).status).toBe(200);
    await run.admin.delete(resourcePath(SECRETS, { namespace: ns, name: "regenerated-token" }));
    const { ms, answer } = await timeUntil(
      () => listConfigMaps(api, ns),
      refused,
      performance.now(),
    );
    report("delivery Secret deleted → old value refused", [ms]);
    if (answer.status === 403) expect(answer.message).toContain("is no longer current");
    const after = await run.delivered(ns, "regenerated");
    expect(after.tokenId).not.toBe(before.tokenId);
    expect((await listConfigMaps(await asToken(run, after.value), ns)).status).toBe(200);
  });

  it("refuses a create that only a Manager may do once the user is a Member", async () => {
    const [user, , api] = await userWithToken("demoted", "Manager");
    expect(await createConfigMap(api, ns)).toEqual({ status: 200, message: "" });
    await run.admin.patchUser(user, { role: "Member" });
    const { ms, answer } = await timeUntil(
      () => createConfigMap(api, ns),
      refused,
      performance.now(),
    );
    report("Manager → Member: create refused", [ms]);
    expect(answer.status).toBe(403);
    // A Member's right still works (once authentication has the new groups, or at once).
    await timeUntil(
      () => listConfigMaps(api, ns),
      (a) => a.status === 200,
      performance.now(),
    );
  });

  it("grants a Manager's create once a Member is promoted", async () => {
    const [user, , api] = await userWithToken("promoted", "Member");
    const denied = await createConfigMap(api, ns);
    expect(denied.status).toBe(403);
    await run.admin.patchUser(user, { role: "Manager" });
    const { ms } = await timeUntil(
      () => createConfigMap(api, ns),
      (a) => a.status === 200,
      performance.now(),
    );
    const viaRbacReview = await webhookMetric(
      run.service,
      "svctokens_webhook_authorizations_total",
      {
        decision: "allow",
        reason: "promoted",
      },
    );
    report(`Member → Manager: create granted (RBAC reviews for the promotion: ${viaRbacReview})`, [
      ms,
    ]);
  });
});
