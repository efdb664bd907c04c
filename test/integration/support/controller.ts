// Running the controller in the test process, under its own least-privilege identity.
import { pino, type Logger } from "pino";
import type { Controller } from "../../../src/controller/controller.ts";
import type { Clock } from "../../../src/k8s/clock.ts";
import type { LifecycleSettings } from "../../../src/controller/lifecycle/decide.ts";
import { startLocalController } from "../../../src/devenv/local-operator.ts";
import { controlPlane, eventually } from "./cluster.ts";

/** Starts a controller without leader election and waits for its caches. */
export async function startController(
  options: { clock?: Clock; resyncMs?: number; log?: Logger; lifecycle?: LifecycleSettings } = {},
): Promise<Controller> {
  return startLocalController(controlPlane(), {
    log: options.log ?? pino({ level: "silent" }),
    ...(options.resyncMs === undefined ? {} : { resyncMs: options.resyncMs }),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.lifecycle ? { lifecycle: options.lifecycle } : {}),
  });
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
