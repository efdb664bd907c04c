// Leader election on a coordination.k8s.io/v1 Lease, in the client-go model: the holder renews
// the Lease; a standby takes it over once it has seen no renewal for a whole lease duration
// (measured on its own clock, so clock skew between replicas does not matter).
import type { Logger } from "pino";
import { errorMessage, isAlreadyExists, isConflict, isNotFound } from "../../k8s/errors.ts";
import { LEASES, resourcePath } from "../../k8s/paths.ts";
import type { KubeRest } from "../../k8s/rest.ts";
import { microTime } from "../../k8s/time.ts";
import { pause, systemClock, type Clock } from "../../k8s/clock.ts";

/** Lease settings: the standby takes over within `leaseDurationMs` of the leader's death. */
export interface LeaderElectionOptions {
  rest: KubeRest;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs: number;
  /** How often the leader renews and a standby retries; well below the lease duration. */
  retryPeriodMs: number;
  log: Logger;
  /** Time for renewals, expiry and the Lease's timestamps (default: the system clock). */
  clock?: Clock;
}

interface Lease {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: {
    holderIdentity?: string | null;
    leaseDurationSeconds?: number;
    acquireTime?: string | null;
    renewTime?: string | null;
    leaseTransitions?: number;
  };
}

/**
 * Runs `lead` while this replica holds the Lease. `lead` gets a signal that aborts when
 * leadership is lost or `stop` is called; the Lease is released on a clean stop so a standby
 * takes over at once.
 */
export class LeaderElector {
  readonly #options: LeaderElectionOptions;
  readonly #stopped = new AbortController();
  readonly #clock: Clock;
  #observed: { record: string; at: number } | undefined;
  #leading = false;

  constructor(options: LeaderElectionOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  isLeader(): boolean {
    return this.#leading;
  }

  /** Campaigns until stopped; calls `lead` each time leadership is won. */
  async run(lead: (signal: AbortSignal) => Promise<void>): Promise<void> {
    const { retryPeriodMs, log } = this.#options;
    while (!this.#stopped.signal.aborted) {
      if (await this.#tryAcquireOrRenew()) {
        log.info({ identity: this.#options.identity }, "became leader");
        await this.#lead(lead);
      }
      await this.#pause(retryPeriodMs);
    }
  }

  /** Stops campaigning, ends the current term and releases the Lease. */
  stop(): void {
    this.#stopped.abort();
  }

  async #lead(lead: (signal: AbortSignal) => Promise<void>): Promise<void> {
    const { retryPeriodMs, leaseDurationMs, log } = this.#options;
    this.#leading = true;
    const term = new AbortController();
    const leading = lead(AbortSignal.any([term.signal, this.#stopped.signal]));
    let lastRenewal = this.#clock.now();
    while (!this.#stopped.signal.aborted) {
      await this.#pause(retryPeriodMs);
      if (this.#stopped.signal.aborted) break;
      if (await this.#tryAcquireOrRenew()) {
        lastRenewal = this.#clock.now();
      } else if (this.#clock.now() - lastRenewal > leaseDurationMs - retryPeriodMs) {
        // Stop before a standby may legitimately take over: never two leaders at once.
        log.warn("lost leadership");
        break;
      }
    }
    term.abort();
    this.#leading = false;
    await leading.catch((error: unknown) =>
      log.error({ err: errorMessage(error) }, "leader work failed"),
    );
    if (this.#stopped.signal.aborted) await this.#release();
  }

  async #tryAcquireOrRenew(): Promise<boolean> {
    const { rest, namespace, name, identity, leaseDurationMs, log } = this.#options;
    const path = resourcePath(LEASES, { namespace, name });
    const now = new Date(this.#clock.now());
    try {
      const lease = await rest.request<Lease>("GET", path).catch((error: unknown) => {
        if (isNotFound(error)) return undefined;
        throw error;
      });
      if (!lease) {
        await rest.request("POST", resourcePath(LEASES, { namespace }), {
          apiVersion: "coordination.k8s.io/v1",
          kind: "Lease",
          metadata: { name, namespace },
          spec: this.#spec(now, now, 0),
        });
        return true;
      }
      const holder = lease.spec.holderIdentity ?? "";
      const record = JSON.stringify(lease.spec);
      if (this.#observed?.record !== record) this.#observed = { record, at: this.#clock.now() };
      const expired = this.#clock.now() - this.#observed.at > leaseDurationMs;
      if (holder !== identity && holder !== "" && !expired) return false;
      const takeover = holder !== identity;
      lease.spec = this.#spec(
        takeover ? now : new Date(lease.spec.acquireTime ?? now),
        now,
        (lease.spec.leaseTransitions ?? 0) + (takeover ? 1 : 0),
      );
      const updated = await rest.request<Lease>("PUT", path, lease);
      this.#observed = { record: JSON.stringify(updated.spec), at: this.#clock.now() };
      return true;
    } catch (error) {
      if (!isConflict(error) && !isAlreadyExists(error)) {
        log.warn(
          { err: errorMessage(error) },
          "leader election: could not read or renew the Lease",
        );
      }
      return false;
    }
  }

  #spec(acquired: Date, renewed: Date, transitions: number): Lease["spec"] {
    return {
      holderIdentity: this.#options.identity,
      leaseDurationSeconds: Math.ceil(this.#options.leaseDurationMs / 1000),
      acquireTime: microTime(acquired),
      renewTime: microTime(renewed),
      leaseTransitions: transitions,
    };
  }

  async #release(): Promise<void> {
    const { rest, namespace, name, identity, log } = this.#options;
    const path = resourcePath(LEASES, { namespace, name });
    try {
      const lease = await rest.request<Lease>("GET", path);
      if (lease.spec.holderIdentity !== identity) return;
      lease.spec = {
        ...lease.spec,
        holderIdentity: "",
        renewTime: microTime(new Date(this.#clock.now())),
      };
      await rest.request("PUT", path, lease);
      log.info("released leadership");
    } catch (error) {
      log.warn(
        { err: errorMessage(error) },
        "could not release the Lease; the standby waits it out",
      );
    }
  }

  async #pause(ms: number): Promise<void> {
    await pause(this.#clock, ms, this.#stopped.signal);
  }
}
