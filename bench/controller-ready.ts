// Benchmark: how long 1,000 ServiceTokens take to become Ready with the controller in-process,
// against the floor — the same essential writes (delivery Secret, hash record, one status per
// token) issued directly with the same client and concurrency — on one fresh local control
// plane, plus the controller's writes per token by verb and a restart that must write nothing.
// `npm run bench:controller [-- COUNT]`. Prints figures only; see bench/README.md.
import { pino } from "pino";
import { Controller } from "../src/controller/controller.ts";
import type { KubeObject } from "../src/k8s/object.ts";
import {
  OPERATOR_NAMESPACE,
  createServiceUser,
  inParallel,
  printWritesPerToken,
  say,
  startBenchCluster,
  totalWrites,
} from "./controller/cluster.ts";
import { writesByVerb } from "./controller/process-figures.ts";
import { createToken, runFloor } from "./controller/floor.ts";
import { startMutatingWebhook } from "./controller/mutating-webhook.ts";

const count = Number(process.argv[2] ?? 1000);
const CONCURRENCY = 8;

const cluster = await startBenchCluster();
const { rest, kubectl } = cluster;
try {
  kubectl("create", "namespace", "floor");
  kubectl("create", "namespace", "floor-records");
  kubectl("create", "namespace", "bench");
  await createServiceUser(rest, "bench");

  const floorMs = await runFloor(rest, {
    namespace: "floor",
    recordsNamespace: "floor-records",
    user: "bench",
    count,
    concurrency: CONCURRENCY,
  });
  // Gone before the controller starts, so it never sees the floor's tokens.
  kubectl("delete", "namespace", "floor", "floor-records", "--wait=true", "--timeout=300s");

  const controllerOptions = {
    kubeConfig: cluster.kubeConfig,
    operatorNamespace: OPERATOR_NAMESPACE,
    identity: "bench",
    resyncMs: 600_000,
    concurrency: CONCURRENCY,
    log: pino({ level: "silent" }),
  };
  // As shipped: ServiceToken creates pass the mutating webhook (finalizer, owner reference).
  const stopWebhook = await startMutatingWebhook(cluster.controlPlane.info, rest, {
    namespace: "bench",
    user: "bench",
  });
  const controller = new Controller(controllerOptions);
  controller.start();
  await controller.caches.synced();

  const started = performance.now();
  await inParallel(count, 16, async (i) => {
    await createToken(rest, "bench", `t-${i}`, "bench");
  });
  const created = performance.now();
  const isReady = (token: KubeObject): boolean =>
    (
      token.status as { conditions?: { type: string; status: string }[] } | undefined
    )?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
  while (controller.caches.tokens.list().filter(isReady).length < count) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const productMs = performance.now() - started;
  // Let the trailing work (ServiceUser status, duplicate runs) finish before counting.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  await controller.whenIdle();
  const writes = await writesByVerb(controller.metrics);
  await controller.stop();
  await stopWebhook();

  const restarted = new Controller({ ...controllerOptions, identity: "bench-restart" });
  const restartStarted = performance.now();
  restarted.start();
  await restarted.caches.synced();
  while (!restarted.isLeader()) await new Promise((resolve) => setTimeout(resolve, 10));
  await restarted.whenIdle();
  const restartMs = performance.now() - restartStarted;
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  await restarted.whenIdle();
  const restartWrites = await writesByVerb(restarted.metrics);
  await restarted.stop();

  const ratio = productMs / floorMs;
  say(`tokens: ${count}; controller concurrency ${CONCURRENCY}; 16 parallel creators`);
  say(`floor (create + essential writes directly): ${(floorMs / 1000).toFixed(1)} s`);
  say(
    `product (create until all Ready): ${(productMs / 1000).toFixed(1)} s (creates took ${((created - started) / 1000).toFixed(1)} s)`,
  );
  say(`ratio product/floor: ${ratio.toFixed(2)}`);
  say("controller writes by verb and resource:");
  const perToken = printWritesPerToken(writes, count);
  say(
    `restart over ${count} settled tokens: idle after ${(restartMs / 1000).toFixed(1)} s, ${totalWrites(restartWrites)} writes`,
  );
  for (const [key, n] of restartWrites) say(`  ${key} ${n}`);
  say(
    `controller: ready time ratio product/floor ${ratio.toFixed(2)}; writes per token ${perToken.toFixed(2)}`,
  );
  rest.close();
} finally {
  await cluster.controlPlane.stop();
}
