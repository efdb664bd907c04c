// What every reconciler gets: the caches, a client, a clock and the means to report.
import type { Logger } from "pino";
import { CONTROLLER_CLIENT } from "../k8s/client-identity.ts";
import type { KubeRest } from "../k8s/rest.ts";
import type { ControllerCaches } from "./caches.ts";
import type { EventRecorder } from "./events.ts";
import type { ControllerMetrics } from "./metrics.ts";
import type { Clock } from "../k8s/clock.ts";

/** Field manager of every server-side apply (and every other write) the controller makes. */
export const FIELD_MANAGER = CONTROLLER_CLIENT.fieldManager;
/** Finalizer on ServiceTokens (src/domain/token-ownership.ts). */
export { TOKEN_FINALIZER } from "../domain/token-ownership.ts";

export interface ControllerContext {
  rest: KubeRest;
  caches: ControllerCaches;
  /** Time comes from here only, so tests can move it forward (expiry without sleeping). */
  clock: Clock;
  log: Logger;
  events: EventRecorder;
  metrics: ControllerMetrics;
  operatorNamespace: string;
  /** Look at every object again at least this often. */
  resyncMs: number;
}
