// The controller: caches always warm, reconcilers running only while this replica leads.
import type { Logger } from "pino";
import { DEFAULT_MAX_CACHE_STALENESS_SECONDS } from "../config.ts";
import { errorMessage } from "../k8s/errors.ts";
import { handBackListingMemory } from "../k8s/hand-back-memory.ts";
import { CONTROLLER_CLIENT, type ClientIdentity } from "../k8s/client-identity.ts";
import type { ClusterAccess } from "../k8s/cluster-access.ts";
import { KubeRest } from "../k8s/rest.ts";
import { ControllerCaches } from "./caches.ts";
import type { ControllerContext } from "./context.ts";
import { EventRecorder } from "./events.ts";
import { createControllerMetrics, type ControllerMetrics } from "./metrics.ts";
import { LeaderElector } from "./runtime/leader-election.ts";
import { pause, systemClock, type Clock } from "../k8s/clock.ts";
import { RequeueNowError, TerminalError } from "./runtime/errors.ts";
import { WorkQueue, type ProcessResult } from "./runtime/work-queue.ts";
import { reconcileServiceToken } from "./service-token/reconcile.ts";
import { serviceUserReconciler } from "./service-user/reconcile.ts";
import { USER_STATUS_INTERVAL_MS } from "./service-user/status-spacing.ts";
import { teamBindingsReconciler } from "./team-bindings/reconcile.ts";
import { connectTeamBindingKeys } from "./team-bindings/wiring.ts";
import { allKeys, connectCachesToQueues, type KeySink } from "./wiring.ts";
import { requestResource } from "../k8s/request-resource.ts";
import type { LifecycleSettings } from "./lifecycle/decide.ts";
import {
  createLifecycleMetrics,
  refreshLifecycleGauges,
  type LifecycleMetrics,
} from "./lifecycle/metrics.ts";
import { tokenLifecycleReconciler } from "./lifecycle/reconcile.ts";
import { lookupServiceUser } from "./service-user/lookup.ts";

/** How to run a controller. */
export interface ControllerOptions {
  kubeConfig: ClusterAccess;
  operatorNamespace: string;
  identity: string;
  resyncMs: number;
  concurrency: number;
  log: Logger;
  clock?: Clock;
  /** Lease settings; undefined runs without leader election (a single replica). */
  leaderElection?:
    { leaseName: string; leaseDurationMs: number; retryPeriodMs: number } | undefined;
  /** Not ready once a cache has not been known current for longer (default 60 s). */
  maxCacheStalenessMs?: number;
  /** User-Agent and field manager of its API requests (default: svctokens-controller). */
  clientIdentity?: ClientIdentity;
  /** Register process-wide metrics (CPU, memory): only one per process. */
  processMetrics?: boolean;
  /** Expiry notices and the unused/expired token policies (default: unused after 90 days). */
  lifecycle?: LifecycleSettings;
}

/** The lifecycle settings of an operator that sets none (src/config.ts defaults). */
const DEFAULT_LIFECYCLE: LifecycleSettings = { unusedAfterDays: 90 };

type Reconciler = (ctx: ControllerContext, key: string) => Promise<ProcessResult>;

/** A running controller. */
export class Controller {
  readonly metrics: ControllerMetrics;
  readonly caches: ControllerCaches;
  readonly lifecycleMetrics: LifecycleMetrics;
  readonly #lifecycle: LifecycleSettings;
  readonly #ctx: ControllerContext;
  readonly #options: ControllerOptions;
  readonly #elector: LeaderElector | undefined;
  #queues:
    | { tokens: WorkQueue; users: WorkQueue; namespaces: WorkQueue; lifecycle: WorkQueue }
    | undefined;
  #running: Promise<void> | undefined;
  #stopLeading: (() => void) | undefined;

  constructor(options: ControllerOptions) {
    this.#options = options;
    this.metrics = createControllerMetrics(options.processMetrics ?? false);
    this.lifecycleMetrics = createLifecycleMetrics(this.metrics.registry);
    this.#lifecycle = options.lifecycle ?? DEFAULT_LIFECYCLE;
    const rest = new KubeRest(options.kubeConfig, {
      identity: options.clientIdentity ?? CONTROLLER_CLIENT,
      observer: (method, path, status) =>
        this.metrics.apiRequests.inc({
          verb: method,
          resource: requestResource(path),
          code: String(status),
        }),
    });
    this.caches = new ControllerCaches(
      rest,
      options.operatorNamespace,
      options.resyncMs,
      options.log,
    );
    this.#ctx = {
      rest,
      caches: this.caches,
      clock: options.clock ?? systemClock,
      log: options.log,
      events: new EventRecorder(rest, options.identity, options.log, options.clock ?? systemClock),
      metrics: this.metrics,
      operatorNamespace: options.operatorNamespace,
      resyncMs: options.resyncMs,
    };
    const election = options.leaderElection;
    this.#elector = election
      ? new LeaderElector({
          rest,
          namespace: options.operatorNamespace,
          name: election.leaseName,
          identity: options.identity,
          leaseDurationMs: election.leaseDurationMs,
          retryPeriodMs: election.retryPeriodMs,
          log: options.log,
          clock: options.clock ?? systemClock,
        })
      : undefined;
    connectCachesToQueues(this.caches, () => this.#sink());
    connectTeamBindingKeys(this.caches, () => {
      const namespaces = this.#queues?.namespaces;
      return namespaces && ((name) => namespaces.add(name));
    });
  }

  /** Starts the caches and, once they synced, campaigns for leadership (or leads at once). */
  start(): void {
    this.caches.start();
    this.#running = (async () => {
      await this.caches.synced();
      handBackListingMemory();
      this.#options.log.info("caches synced");
      if (this.#elector) await this.#elector.run((signal) => this.#lead(signal));
      else await this.#lead(new AbortController().signal);
    })();
  }

  /** Ready while every cache has synced and none has been stale for longer than the bound. */
  isReady(): boolean {
    const bound = this.#options.maxCacheStalenessMs ?? DEFAULT_MAX_CACHE_STALENESS_SECONDS * 1000;
    return this.caches.hasSynced() && this.caches.staleForMs() <= bound;
  }

  /** Refreshes the lifecycle gauges from the caches (before a scrape). */
  refreshLifecycleGauges(): void {
    refreshLifecycleGauges(
      this.caches.tokens.list(),
      (name) => lookupServiceUser(this.#ctx, name)?.spec.active ?? true,
      this.lifecycleMetrics,
      this.#lifecycle,
      new Date(this.#ctx.clock.now()),
    );
  }

  isLeader(): boolean {
    return this.#queues !== undefined;
  }

  /**
   * Waits until no reconcile is queued or running (for tests and benchmarks), including the
   * ServiceUser status writes that token changes scheduled a moment ahead (status-spacing.ts).
   */
  async whenIdle(): Promise<void> {
    for (;;) {
      const queues = this.#queues;
      await Promise.all([
        queues?.tokens.whenIdle(),
        queues?.users.whenIdle(),
        queues?.namespaces.whenIdle(),
        queues?.lifecycle.whenIdle(),
      ]);
      const next = queues?.users.nextScheduledInMs();
      if (next === undefined || next > 2 * USER_STATUS_INTERVAL_MS) return;
      await pause(this.#ctx.clock, next + 10, new AbortController().signal);
    }
  }

  /** Stops leading (releasing the Lease), then the caches. */
  async stop(): Promise<void> {
    this.#elector?.stop();
    this.#stopLeading?.();
    await this.#running;
    await this.caches.stop();
    this.#ctx.rest.close();
  }

  async #lead(signal: AbortSignal): Promise<void> {
    const queues = {
      tokens: this.#queue("ServiceToken", reconcileServiceToken),
      users: this.#queue("ServiceUser", serviceUserReconciler()),
      namespaces: this.#queue("Namespace", teamBindingsReconciler()),
      lifecycle: this.#queue(
        "ServiceTokenLifecycle",
        tokenLifecycleReconciler(this.#lifecycle, this.lifecycleMetrics),
      ),
    };
    this.#queues = queues;
    this.metrics.isLeader.set(1);
    queues.tokens.start();
    queues.users.start();
    queues.namespaces.start();
    queues.lifecycle.start();
    const keys = allKeys(this.caches);
    for (const key of keys.tokens) queues.tokens.add(key);
    for (const key of keys.tokens) queues.lifecycle.add(key);
    for (const key of keys.users) queues.users.add(key);
    for (const namespace of this.caches.namespaces.list()) {
      queues.namespaces.add(namespace.metadata?.name ?? "");
    }
    // The first pass over every cached object leaves its garbage among the objects kept, as
    // the first list did: compact once more when it ends (record 85).
    void this.whenIdle().then(() => {
      if (this.#queues === queues) handBackListingMemory();
    });
    await new Promise<void>((resolve) => {
      this.#stopLeading = resolve;
      if (signal.aborted) resolve();
      signal.addEventListener("abort", () => resolve(), { once: true });
    });
    this.#queues = undefined;
    this.metrics.isLeader.set(0);
    await Promise.all([
      queues.tokens.stop(),
      queues.users.stop(),
      queues.namespaces.stop(),
      queues.lifecycle.stop(),
    ]);
  }

  #sink(): KeySink | undefined {
    const queues = this.#queues;
    return (
      queues && {
        token: (key) => {
          queues.tokens.add(key);
          queues.lifecycle.add(key);
        },
        user: (name) => queues.users.add(name),
        // One run for all the changes of a second: a later change never postpones it.
        userOfChangedToken: (name) => queues.users.addAfter(name, USER_STATUS_INTERVAL_MS),
      }
    );
  }

  #queue(kind: string, reconcile: Reconciler): WorkQueue {
    const { metrics } = this;
    const ctx = this.#ctx;
    return new WorkQueue({
      concurrency: this.#options.concurrency,
      clock: ctx.clock,
      process: async (key) => {
        const done = metrics.reconcileSeconds.startTimer({ kind });
        try {
          const result = await reconcile(ctx, key);
          metrics.reconciles.inc({ kind, result: "success" });
          return result;
        } catch (error) {
          const result =
            error instanceof RequeueNowError
              ? "requeue"
              : error instanceof TerminalError
                ? "terminal"
                : "error";
          metrics.reconciles.inc({ kind, result });
          throw error;
        } finally {
          done();
        }
      },
      onError: (key, error, plan) =>
        ctx.log.warn({ kind, key, err: errorMessage(error), retry: plan }, "reconcile failed"),
    });
  }
}
