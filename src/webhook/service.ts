// The whole webhook service as one object: caches, Admin check, last-used tracker, app, HTTPS
// server and the plain-HTTP probe/metrics server, started and stopped in order. main.ts and
// integration tests both use it.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { parseServiceUser, type ServiceUser } from "../api/index.ts";
import { isNotFound } from "../k8s/errors.ts";
import { splitKey } from "../k8s/object.ts";
import { NAMESPACES, resourcePath, SUBJECT_ACCESS_REVIEWS } from "../k8s/paths.ts";
import type { KubeObject } from "../k8s/object.ts";
import { WEBHOOK_CLIENT, type ClientIdentity } from "../k8s/client-identity.ts";
import { requestResource } from "../k8s/request-resource.ts";
import { KubeRest, PATCH } from "../k8s/rest.ts";
import { rfc3339 } from "../k8s/time.ts";
import { startHealthServer } from "../health-server.ts";
import { AdminCheck } from "./admission/admin-check.ts";
import { TokenBucket } from "./admission/token-bucket.ts";
import { createWebhookApp, type WebhookDeps } from "./http/app.ts";
import { leanRoutes } from "./http/lean/lean-routes.ts";
import { WebhookCaches } from "./cache/caches.ts";
import { CacheFreshness } from "./cache/freshness.ts";
import type { ClusterAccess } from "../k8s/cluster-access.ts";
import { DEFAULT_MAX_CACHE_STALENESS_SECONDS } from "../config.ts";
import type { LastUsedTracker } from "./authn/last-used.ts";
import type { SuccessLog } from "./authn/success-log.ts";
import { useBookkeeping } from "./use-bookkeeping.ts";
import { createWebhookMetrics, type WebhookMetrics } from "./metrics.ts";
import { SERVICE_TOKENS, SERVICE_USERS } from "../api/index.ts";
import { WebhookServer, type ServerTimeouts } from "./http/server.ts";
import type { TlsFiles } from "../tls/tls-reloader.ts";

/** Everything the service is configured with (main.ts maps the environment onto it). */
export interface WebhookServiceOptions {
  kubeConfig: ClusterAccess;
  /** The operator's namespace: the only one whose Secrets (hash records) are read. */
  namespace: string;
  /** With `clientCaFile`, /authenticate and /validate serve only `allowedClientNames`. */
  tls: TlsFiles;
  /** Names (CN or DNS SAN) of kube-apiserver's client certificate; used with a client CA. */
  allowedClientNames: readonly string[];
  host: string;
  port: number;
  /** Plain-HTTP /healthz, /readyz and /metrics on this port (0: any free port). */
  metricsPort: number;
  lastUsedFlushMs: number;
  /**
   * Successful authentications are logged once per token per this interval, with a count
   * (default: the last-used flush interval, so a busy token costs one line and one write each).
   */
  successLogIntervalMs?: number;
  maxTokenLifetimeDays: number | undefined;
  controllerUsername: string;
  adminCacheMs: number;
  /** SubjectAccessReviews allowed in a burst, and refilled per second (token bucket). */
  adminCheckBurst: number;
  adminChecksPerSecond: number;
  relistIntervalMs: number;
  log: Logger;
  processMetrics: boolean;
  /** Caches lagging longer than this: not ready, and decisions get 503 (default 60 s). */
  maxCacheStalenessMs?: number;
  /** User-Agent and field manager of its API requests (default: svctokens-webhook). */
  clientIdentity?: ClientIdentity;
  /** How long in-flight requests may take to finish at shutdown. */
  shutdownGraceMs?: number;
  tlsReloadIntervalMs?: number;
  timeouts?: Partial<ServerTimeouts>;
}

/** Ready (/readyz): the caches are current and the service is not stopping. */
function servesReady(freshness: CacheFreshness, state: { stopping: boolean }): boolean {
  return freshness.isCurrent() && !state.stopping;
}

/** A running webhook service. */
export class WebhookService {
  readonly caches: WebhookCaches;
  readonly metrics: WebhookMetrics;
  readonly #rest: KubeRest;
  readonly #lastUsed: LastUsedTracker;
  readonly #server: WebhookServer;
  readonly #healthServer: Server;
  readonly #state: { stopping: boolean };
  readonly #graceMs: number;
  readonly #freshness: CacheFreshness;
  readonly #successLog: SuccessLog;

  private constructor(parts: {
    freshness: CacheFreshness;
    caches: WebhookCaches;
    metrics: WebhookMetrics;
    rest: KubeRest;
    lastUsed: LastUsedTracker;
    server: WebhookServer;
    healthServer: Server;
    state: { stopping: boolean };
    graceMs: number;
    successLog: SuccessLog;
  }) {
    this.caches = parts.caches;
    this.metrics = parts.metrics;
    this.#rest = parts.rest;
    this.#lastUsed = parts.lastUsed;
    this.#server = parts.server;
    this.#healthServer = parts.healthServer;
    this.#state = parts.state;
    this.#graceMs = parts.graceMs;
    this.#freshness = parts.freshness;
    this.#successLog = parts.successLog;
  }

  /** Starts the caches and the server; /readyz is 200 while the caches are synced and current. */
  static async start(options: WebhookServiceOptions): Promise<WebhookService> {
    const { log } = options;
    const metrics = createWebhookMetrics(options.processMetrics);
    const rest = new KubeRest(options.kubeConfig, {
      identity: options.clientIdentity ?? WEBHOOK_CLIENT,
      observer: (method, path, status) =>
        metrics.apiRequests.inc({
          verb: method,
          resource: requestResource(path),
          code: String(status),
        }),
    });
    const caches = new WebhookCaches({
      rest,
      namespace: options.namespace,
      relistIntervalMs: options.relistIntervalMs,
      log: log.child({ component: "caches" }),
    });
    const adminCheck = new AdminCheck({
      rest,
      ttlMs: options.adminCacheMs,
      budget: new TokenBucket({
        capacity: options.adminCheckBurst,
        perSecond: options.adminChecksPerSecond,
      }),
      onReview: (outcome) => metrics.adminChecks.inc({ outcome }),
    });
    const state = { stopping: false };
    const freshness = new CacheFreshness(
      caches,
      options.maxCacheStalenessMs ?? DEFAULT_MAX_CACHE_STALENESS_SECONDS * 1000,
      metrics.staleDecisions,
    );
    const httpLog = log.child(
      { component: "http" },
      { formatters: { log: freshness.annotateLog } },
    );
    const { lastUsed, successLog, hooks } = useBookkeeping({
      facts: caches.facts,
      freshness,
      log: log.child({ component: "last-used" }),
      httpLog,
      metrics,
      lastUsedFlushMs: options.lastUsedFlushMs,
      successLogIntervalMs: options.successLogIntervalMs,
      writeLastUsed: (tokenKey, lastUsedAt) => writeLastUsed(rest, tokenKey, lastUsedAt),
    });
    const deps: WebhookDeps = {
      facts: caches.facts,
      // Past the staleness bound the decision routes answer 503: fail closed (decision 35).
      hasSynced: () => freshness.admitDecision(),
      ...hooks,
      isAdmin: (user) => adminCheck.isAdmin(user),
      reviewAccess: (review) => reviewAccess(rest, review),
      fetchServiceUser: (name) => fetchServiceUser(rest, name),
      fetchNamespaceLabels: (name) => fetchNamespaceLabels(rest, name),
      controllerUsername: options.controllerUsername,
      maxTokenLifetimeDays: options.maxTokenLifetimeDays,
      requireClientCertificate: options.tls.clientCaFile !== undefined,
      allowedClientNames: options.allowedClientNames,
      metrics,
      log: httpLog,
      now: () => new Date(),
    };

    caches.start();
    let server: WebhookServer;
    let healthServer: Server | undefined;
    try {
      healthServer = await startHealthServer(
        { isReady: () => servesReady(freshness, state), registry: metrics.registry },
        options.metricsPort,
        options.host,
      );
      server = await WebhookServer.start({
        handler: createWebhookApp(deps),
        lean: leanRoutes(deps),
        tls: options.tls,
        host: options.host,
        port: options.port,
        log: log.child({ component: "server" }),
        tlsReloadIntervalMs: options.tlsReloadIntervalMs,
        timeouts: options.timeouts,
      });
    } catch (error) {
      healthServer?.close();
      await caches.stop();
      rest.close();
      throw error;
    }
    lastUsed.start();
    successLog.start();
    const graceMs = options.shutdownGraceMs ?? 10_000;
    return new WebhookService({
      caches,
      metrics,
      rest,
      lastUsed,
      server,
      healthServer,
      state,
      graceMs,
      freshness,
      successLog,
    });
  }

  get port(): number {
    return this.#server.port;
  }

  /** Port of the plain-HTTP /healthz, /readyz and /metrics. */
  get metricsPort(): number {
    return (this.#healthServer.address() as AddressInfo).port;
  }

  /** Resolves once every cache has synced. */
  async synced(): Promise<void> {
    await this.caches.synced();
  }

  isReady(): boolean {
    return servesReady(this.#freshness, this.#state);
  }

  /** Writes pending last-used times now, as the interval would (tests and shutdown use it). */
  async flushLastUsed(): Promise<void> {
    await this.#lastUsed.flush();
  }

  /** Graceful stop: not ready, finish in-flight requests, flush last-used, stop the caches. */
  async stop(): Promise<void> {
    if (this.#state.stopping) return;
    this.#state.stopping = true;
    await this.#server.close(this.#graceMs);
    await this.#lastUsed.stop();
    this.#successLog.stop();
    await this.caches.stop();
    this.#rest.close();
    // Last: probes answer "not ready" until the very end.
    const closed = new Promise<void>((resolve) => this.#healthServer.close(() => resolve()));
    this.#healthServer.closeAllConnections();
    await closed;
  }
}

/** Merge-patches only `status.lastUsedAt`: every other status field is the controller's. */
async function writeLastUsed(rest: KubeRest, tokenKey: string, lastUsedAt: Date): Promise<void> {
  const { namespace, name } = splitKey(tokenKey);
  const path = resourcePath(SERVICE_TOKENS, { namespace, name, subresource: "status" });
  const at = rfc3339(lastUsedAt);
  // A write left unanswered (a dropped connection) fails and is tried again at the next flush,
  // instead of holding every later flush and the shutdown behind it.
  const signal = AbortSignal.timeout(LAST_USED_WRITE_TIMEOUT_MS);
  await rest.request("PATCH", path, { status: { lastUsedAt: at } }, PATCH.merge, signal);
}

/** How long a last-used write may wait for its answer (kube-apiserver's own limit is 60 s). */
const LAST_USED_WRITE_TIMEOUT_MS = 10_000;

/** Posts a SubjectAccessReview and returns whether it was allowed. */
async function reviewAccess(rest: KubeRest, review: Record<string, unknown>): Promise<boolean> {
  const path = resourcePath(SUBJECT_ACCESS_REVIEWS);
  const answer = await rest.request<{ status?: { allowed?: boolean } }>("POST", path, review);
  return answer.status?.allowed === true;
}

async function fetchServiceUser(rest: KubeRest, name: string): Promise<ServiceUser | undefined> {
  try {
    return parseServiceUser(await rest.request("GET", resourcePath(SERVICE_USERS, { name })));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

async function fetchNamespaceLabels(
  rest: KubeRest,
  name: string,
): Promise<Record<string, string> | undefined> {
  try {
    const namespace = await rest.request<KubeObject>("GET", resourcePath(NAMESPACES, { name }));
    return namespace.metadata?.labels ?? {};
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
