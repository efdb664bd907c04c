// kube-apiserver, then etcd, restarted while the operator serves. During the outage the
// webhook keeps authenticating from its caches; after the restart its watches (and the
// controller's) resume: a token revoked after the restart is refused, a token created after the
// restart authenticates. Runs on a control plane of its own, since it stops the components.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateToken } from "../../../src/tokens/index.ts";
import { eventually } from "../support/cluster.ts";
import { OperatorOnOwnControlPlane } from "./own-control-plane.ts";

/** Watches back off up to 30 s between tries; the controller then has to generate a value. */
const RESUME_TIMEOUT_MS = 120_000;
const AUTHENTICATED = { authenticate: true, verify: 200 };
const REFUSED = { authenticate: false, verify: 401 };

describe("faults: control-plane restarts while the webhook serves", () => {
  let operator: OperatorOnOwnControlPlane;
  let namespace: string;
  const user = "fault-bot";

  beforeAll(async () => {
    operator = await OperatorOnOwnControlPlane.start();
    namespace = await operator.namespace("faults");
    await operator.admin.createUser(user, { role: "Member" });
  }, 420_000);

  afterAll(async () => {
    await operator?.stop();
  });

  const restarts = [
    [
      "kube-apiserver",
      (whileDown: () => Promise<void>) => operator.controlPlane.restartApiServer(whileDown),
    ],
    ["etcd", (whileDown: () => Promise<void>) => operator.controlPlane.restartEtcd(whileDown)],
  ] as const;

  it.each(restarts)(
    "%s restarted: served from caches during the outage, watches resume afterwards",
    async (component, restart) => {
      const prefix = component === "etcd" ? "etcd" : "api";
      const kept = await operator.issueToken(namespace, `${prefix}-kept`, user);
      const revokedLater = await operator.issueToken(namespace, `${prefix}-revoked-later`, user);
      const unknown = generateToken();
      await expect
        .poll(() => operator.authenticates(kept), { timeout: 30_000 })
        .toEqual(AUTHENTICATED);
      await expect
        .poll(() => operator.authenticates(revokedLater), { timeout: 30_000 })
        .toEqual(AUTHENTICATED);
      const failuresBefore = informerFailures(operator);

      await restart(async () => {
        // The outage is real: the API does not serve.
        await expect.poll(() => operator.apiServerReady(), { timeout: 60_000 }).toBe(false);
        if (component === "kube-apiserver") {
          // The webhook's watches broke and its relists fail: it is on its caches alone.
          await expect
            .poll(() => informerFailures(operator), { timeout: 60_000 })
            .toBeGreaterThan(failuresBefore);
        }
        expect(await operator.authenticates(kept)).toEqual(AUTHENTICATED);
        expect(await operator.authenticates(revokedLater)).toEqual(AUTHENTICATED);
        expect(await operator.authenticates(unknown)).toEqual(REFUSED);
      });
      expect(await operator.apiServerReady()).toBe(true);

      // Written after the restart: only resumed watches bring these to the webhook (its
      // relist is ten minutes away) and to the controller.
      await eventually(
        `ServiceToken ${prefix}-revoked-later to be revoked`,
        () => operator.admin.patchToken(namespace, `${prefix}-revoked-later`, { revoked: true }),
        60_000,
      );
      const created = await operator.issueToken(
        namespace,
        `${prefix}-after`,
        user,
        RESUME_TIMEOUT_MS,
      );
      await expect
        .poll(() => operator.authenticates(revokedLater), { timeout: RESUME_TIMEOUT_MS })
        .toEqual(REFUSED);
      await expect
        .poll(() => operator.authenticates(created), { timeout: RESUME_TIMEOUT_MS })
        .toEqual(AUTHENTICATED);
      expect(await operator.authenticates(kept)).toEqual(AUTHENTICATED);
    },
    600_000,
  );
});

/** How many times the webhook's informers have failed and restarted so far. */
function informerFailures(operator: OperatorOnOwnControlPlane): number {
  return operator.webhookLog.filter((line) => line.includes("informer failed")).length;
}
