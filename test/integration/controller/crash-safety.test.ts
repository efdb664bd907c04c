// SIGKILL the controller in the middle of a bulk create; after a restart every token has
// exactly one delivery Secret and one hash record, and they agree.
import { describe, expect, it } from "vitest";
import { readHashRecord } from "../../../src/domain/hash-record.ts";
import { hashToken } from "../../../src/tokens/index.ts";
import { activeTokenCount, inParallel } from "../support/bulk.ts";
import { eventually } from "../support/cluster.ts";
import { startControllerProcess, type ControllerProcess } from "../support/controller-process.ts";
import { OPERATOR_NAMESPACE, controllerKubeconfig } from "../support/operator.ts";
import { secretValue, type TestObject } from "../support/resources.ts";
import { controllerWorld } from "../support/controller-world.ts";

// Enough to kill mid-way and to make a rewrite obvious; more only makes CI slower.
const TOKENS = 100;

describe("controller: crash safety", () => {
  const processes: ControllerProcess[] = [];
  const w = controllerWorld("crash", () => Promise.all(processes.map((p) => p.kill("SIGTERM"))));
  const { api } = w;

  it(`recovers from SIGKILL during a bulk create of ${TOKENS} tokens`, async () => {
    const kubeconfig = await controllerKubeconfig();
    const env = { SVCTOKENS_LEADER_ELECTION: "false" };
    const first = await startControllerProcess("crash-1", kubeconfig, env);
    processes.push(first);
    let killed = false;
    await inParallel(TOKENS, 16, async (i) => {
      await api.createToken(w.ns, `t-${i}`, { serviceUser: w.user });
      if (i === TOKENS / 4 && !killed) {
        killed = true;
        // Let it get well into writing Secrets first, then pull the plug.
        await eventually("the controller to be mid-way", async () =>
          (await activeTokenCount(api, w.ns)) > 10 ? true : undefined,
        );
        await first.kill("SIGKILL");
      }
    });
    expect(killed).toBe(true);
    const activeAtKill = await activeTokenCount(api, w.ns);
    expect(activeAtKill).toBeLessThan(TOKENS);

    processes.push(await startControllerProcess("crash-2", kubeconfig, env));
    await eventually(
      `all ${TOKENS} tokens Active`,
      async () => ((await activeTokenCount(api, w.ns)) === TOKENS ? true : undefined),
      180_000,
    );

    const tokens = (
      await api.rest.request<{ items: TestObject[] }>(
        "GET",
        `/apis/svctokens.dev/v1alpha1/namespaces/${w.ns}/servicetokens`,
      )
    ).items;
    const secrets = (
      await api.rest.request<{ items: TestObject[] }>(
        "GET",
        `/api/v1/namespaces/${w.ns}/secrets?fieldSelector=type%3Dsvctokens.dev%2Fservice-token`,
      )
    ).items;
    const records = (
      await api.rest.request<{ items: TestObject[] }>(
        "GET",
        `/api/v1/namespaces/${OPERATOR_NAMESPACE}/secrets?labelSelector=svctokens.dev%2Ftoken-namespace%3D${w.ns}`,
      )
    ).items;
    expect(tokens).toHaveLength(TOKENS);
    expect(secrets).toHaveLength(TOKENS);
    expect(records).toHaveLength(TOKENS);
    for (const token of tokens) {
      const uid = token.metadata?.uid;
      const owned = secrets.filter((s) =>
        s.metadata?.ownerReferences?.some((ref) => ref.uid === uid),
      );
      const mine = records.map((r) => readHashRecord(r)).filter((r) => r?.tokenUid === uid);
      expect(owned, `delivery Secrets of ${token.metadata?.name}`).toHaveLength(1);
      expect(mine, `hash records of ${token.metadata?.name}`).toHaveLength(1);
      expect(hashToken(secretValue(owned[0], "token") ?? "")).toBe(mine[0]?.hash);
    }
  });
});
