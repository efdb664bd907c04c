// A restart over settled objects writes nothing: counted by the controller's own request metric
// and by kube-apiserver's apiserver_request_total.
import { describe, expect, it } from "vitest";
import type { Controller } from "../../../src/controller/controller.ts";
import {
  activeTokenCount,
  apiserverWrites,
  createTokens,
  settledApiserverWrites,
} from "../support/bulk.ts";
import { eventually } from "../support/cluster.ts";
import { settle, startController } from "../support/controller.ts";
import { writesFromMetrics } from "../support/controller-process.ts";
import { controllerWorld } from "../support/controller-world.ts";

// Enough to kill mid-way and to make a rewrite obvious; more only makes CI slower.
const TOKENS = 100;
const WATCHED = ["secrets", "servicetokens", "serviceusers", "events"] as const;

describe("controller: idempotence", () => {
  const running: Controller[] = [];
  const w = controllerWorld(
    "idem",
    () => Promise.all(running.map((controller) => controller.stop())),
    async () => {
      if (!running.length) running.push(await startController());
    },
  );
  const { api } = w;

  it(`restarting over ${TOKENS} settled tokens makes zero write requests`, async () => {
    await createTokens(api, w.ns, w.user, "t", TOKENS);
    const first = await startController();
    running.push(first);
    await eventually(
      `${TOKENS} Active tokens`,
      async () => ((await activeTokenCount(api, w.ns)) === TOKENS ? true : undefined),
      120_000,
    );
    await settle(first);
    const firstWrites = writesFromMetrics(await first.metrics.registry.metrics());
    expect(firstWrites.get("secrets") ?? 0).toBeGreaterThanOrEqual(2 * TOKENS);
    await first.stop();
    running.pop();

    const serverWritesBefore = await settledApiserverWrites(api, WATCHED);
    expect(serverWritesBefore).toBeGreaterThanOrEqual(2 * TOKENS); // the counter is read right
    const second = await startController();
    running.push(second);
    await settle(second);
    // Everything was looked at again...
    const reconciles = await second.metrics.reconciles.get();
    const tokenRuns = reconciles.values.find(
      (v) => v.labels.kind === "ServiceToken" && v.labels.result === "success",
    );
    expect(tokenRuns?.value ?? 0).toBeGreaterThanOrEqual(TOKENS);
    // ...and nothing was written, by the controller's count and by the API server's.
    expect([...writesFromMetrics(await second.metrics.registry.metrics())]).toEqual([]);
    expect(await apiserverWrites(api, WATCHED)).toBe(serverWritesBefore);
  });
});
