// Two controller processes: only the leader writes; kill it and the standby takes over
// within the lease duration.
import { describe, expect, it } from "vitest";
import { activeTokenCount, createTokens } from "../support/bulk.ts";
import { eventually, uniqueSuffix } from "../support/cluster.ts";
import { startControllerProcess, type ControllerProcess } from "../support/controller-process.ts";
import { OPERATOR_NAMESPACE, controllerKubeconfig } from "../support/operator.ts";
import { controllerWorld } from "../support/controller-world.ts";

const LEASE_SECONDS = 6;
const RETRY_SECONDS = 1;

interface Lease {
  spec: {
    holderIdentity?: string;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

describe("controller: leader election", () => {
  const replicas: ControllerProcess[] = [];
  const w = controllerWorld("leader", () =>
    Promise.all(replicas.map((replica) => replica.kill("SIGTERM"))),
  );
  const { api } = w;
  const leaseName = `svctokens-controller-${uniqueSuffix()}`;
  const lease = async (): Promise<Lease | undefined> =>
    api.rest
      .request<Lease>(
        "GET",
        `/apis/coordination.k8s.io/v1/namespaces/${OPERATOR_NAMESPACE}/leases/${leaseName}`,
      )
      .catch(() => undefined);

  it("lets only the leader write, and hands over when it dies", async () => {
    const kubeconfig = await controllerKubeconfig();
    const env = {
      SVCTOKENS_LEASE_NAME: leaseName,
      SVCTOKENS_LEASE_DURATION_SECONDS: String(LEASE_SECONDS),
      SVCTOKENS_LEASE_RENEW_SECONDS: String(RETRY_SECONDS),
    };
    replicas.push(await startControllerProcess("replica-a", kubeconfig, env));
    replicas.push(await startControllerProcess("replica-b", kubeconfig, env));
    const holder = await eventually(
      "a leader",
      async () => (await lease())?.spec.holderIdentity || undefined,
    );
    const leader = replicas.find((r) => r.name === holder);
    const standby = replicas.find((r) => r.name !== holder);
    if (!leader || !standby) throw new Error(`unexpected holder ${holder}`);

    await createTokens(api, w.ns, w.user, "before", 20);
    await eventually(
      "20 Active tokens",
      async () => ((await activeTokenCount(api, w.ns)) === 20 ? true : undefined),
      60_000,
    );
    const leaderWrites = await leader.writes();
    expect(leaderWrites.get("secrets") ?? 0).toBeGreaterThanOrEqual(40);
    expect([...(await standby.writes())]).toEqual([]);

    const lastRenewal = Date.parse((await lease())?.spec.renewTime ?? "");
    await leader.kill("SIGKILL");
    const taken = await eventually(
      "the standby to take the Lease",
      async () => {
        const current = await lease();
        return current?.spec.holderIdentity === standby.name ? current : undefined;
      },
      4 * LEASE_SECONDS * 1000,
    );
    // Safety, on the Lease's own timestamps: the standby never takes over before the lease it
    // last saw renewed could have run out (a slow machine only makes the gap longer). How
    // quickly it takes over is timing, covered with fake time in the LeaderElector unit tests.
    const handover = Date.parse(taken.spec.acquireTime ?? "") - lastRenewal;
    expect(handover).toBeGreaterThanOrEqual((LEASE_SECONDS - RETRY_SECONDS) * 1000);
    process.stderr.write(`[leader-election] hand-over ${handover} ms after the last renewal\n`);
    expect(taken.spec.leaseTransitions).toBeGreaterThanOrEqual(1);

    await createTokens(api, w.ns, w.user, "after", 5);
    await eventually(
      "25 Active tokens",
      async () => ((await activeTokenCount(api, w.ns)) === 25 ? true : undefined),
      60_000,
    );
    expect((await standby.writes()).get("secrets") ?? 0).toBeGreaterThanOrEqual(10);
  });
});
