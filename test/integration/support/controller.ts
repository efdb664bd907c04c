// Running the controller in the test process, under its own least-privilege identity.
import { pino, type Logger } from "pino";
import { Controller } from "../../../src/controller/controller.ts";
import type { Clock } from "../../../src/controller/runtime/clock.ts";
import { eventually, kubeConfigFrom } from "./cluster.ts";
import { OPERATOR_NAMESPACE, controllerKubeconfig } from "./operator.ts";

/** Starts a controller without leader election and waits for its caches. */
export async function startController(
  options: { clock?: Clock; resyncMs?: number; log?: Logger } = {},
): Promise<Controller> {
  const controller = new Controller({
    kubeConfig: kubeConfigFrom(await controllerKubeconfig()),
    operatorNamespace: OPERATOR_NAMESPACE,
    identity: "test-controller",
    resyncMs: options.resyncMs ?? 600_000,
    concurrency: 8,
    log: options.log ?? pino({ level: "silent" }),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  controller.start();
  await controller.caches.synced();
  return controller;
}

/** Waits until the controller leads and has nothing queued or running. */
export async function settle(controller: Controller): Promise<void> {
  await eventually(
    "the controller to lead",
    () => Promise.resolve(controller.isLeader() ? true : undefined),
    60_000,
  );
  await controller.whenIdle();
}
