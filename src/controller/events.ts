// Kubernetes Events (events.k8s.io/v1) about our objects, for `kubectl describe` and
// `kubectl get events`. Best effort: a failed Event never fails a reconcile.
import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import { errorMessage } from "../k8s/errors.ts";
import type { KubeObject } from "../k8s/object.ts";
import { EVENTS, resourcePath } from "../k8s/paths.ts";
import type { KubeRest } from "../k8s/rest.ts";
import { microTime } from "../k8s/time.ts";
import { systemClock, type Clock } from "../k8s/clock.ts";

/** Reasons the controller reports (DESIGN.md, issues 4 and 15). */
export const EventReason = {
  // On ServiceTokens.
  Regenerated: "Regenerated",
  Revoked: "Revoked",
  Restored: "Restored",
  Expired: "Expired",
  SecretConflict: "SecretConflict",
  /** A new value replaced the current one; the previous one authenticates during the overlap. */
  Rotated: "Rotated",
  /** The previous value stopped authenticating (overlap over, or a second rotation). */
  PreviousValueRetired: "PreviousValueRetired",
  /** Warning on a Namespace: a team label where the controller never binds (kube-*, its own). */
  TeamBindingRefused: "TeamBindingRefused",
  /** Warning on a Namespace: delivery tokens there are worth more than its team's Managers. */
  DeliveryTokenExposed: "DeliveryTokenExposed",
  ServiceUserNotFound: "ServiceUserNotFound",
  ServiceUserDeactivated: "ServiceUserDeactivated",
  // Lifecycle policies (src/controller/lifecycle/); ExpiringSoon and AutoDeleted also go to
  // the token's ServiceUser.
  ExpiringSoon: "ExpiringSoon",
  Unused: "Unused",
  AutoRevoked: "AutoRevoked",
  AutoDeleted: "AutoDeleted",
  // On ServiceUsers.
  Deactivated: "Deactivated",
  Reactivated: "Reactivated",
  RoleChanged: "RoleChanged",
} as const;
export type EventReason = (typeof EventReason)[keyof typeof EventReason];

const REPORTING_CONTROLLER = "svctokens.dev/controller";

/** Records Events about objects; cluster-scoped objects' Events go to `default`. */
export class EventRecorder {
  readonly #rest: KubeRest;
  readonly #instance: string;
  readonly #log: Logger;
  readonly #clock: Clock;

  constructor(rest: KubeRest, instance: string, log: Logger, clock: Clock = systemClock) {
    this.#rest = rest;
    this.#instance = instance;
    this.#log = log;
    this.#clock = clock;
  }

  /** Posts one Event; never throws. */
  async record(
    regarding: KubeObject,
    reason: EventReason,
    note: string,
    type: "Normal" | "Warning" = "Normal",
  ): Promise<void> {
    const meta = regarding.metadata ?? {};
    const namespace = meta.namespace ?? "default";
    const body = {
      apiVersion: "events.k8s.io/v1",
      kind: "Event",
      metadata: { name: `${meta.name ?? "unknown"}.${randomBytes(8).toString("hex")}`, namespace },
      eventTime: microTime(new Date(this.#clock.now())),
      reportingController: REPORTING_CONTROLLER,
      reportingInstance: this.#instance,
      action: reason,
      reason,
      type,
      note,
      regarding: {
        apiVersion: regarding.apiVersion,
        kind: regarding.kind,
        name: meta.name,
        namespace: meta.namespace,
        uid: meta.uid,
        resourceVersion: meta.resourceVersion,
      },
    };
    try {
      await this.#rest.request("POST", resourcePath(EVENTS, { namespace }), body);
    } catch (error) {
      this.#log.warn({ reason, err: errorMessage(error) }, "could not record an Event");
    }
  }
}
