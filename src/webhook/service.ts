// The whole webhook service as one object: caches, Admin check, last-used tracker, app and
// HTTPS server, started and stopped in order. main.ts and integration tests both use it.
import type { KubeConfig } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { parseServiceUser, type ServiceUser } from "../api/index.ts";
import { isNotFound } from "../k8s/errors.ts";
import { splitKey } from "../k8s/object.ts";
import { resourcePath, SUBJECT_ACCESS_REVIEWS } from "../k8s/paths.ts";
import { KubeRest, PATCH } from "../k8s/rest.ts";
import { rfc3339 } from "../k8s/time.ts";
import { AdminCheck } from "./admission/admin-check.ts";
import { createWebhookApp } from "./http/app.ts";
import { WebhookCaches } from "./cache/caches.ts";
import { LastUsedTracker } from "./authn/last-used.ts";
import { createWebhookMetrics, type WebhookMetrics } from "./metrics.ts";
import { SERVICE_TOKENS, SERVICE_USERS } from "../api/index.ts";
import { WebhookServer, type ServerTimeouts } from "./http/server.ts";
import type { TlsFiles } from "../tls/tls-reloader.ts";

/** Everything the service is configured with (main.ts maps the environment onto it). */
export interface WebhookServiceOptions {
  kubeConfig: KubeConfig;
  /** The operator's namespace: the only one whose Secrets (hash records) are read. */
  namespace: string;
  tls: TlsFiles;
  host: string;
  port: number;
  lastUsedFlushMs: number;
  maxTokenLifetimeDays: number | undefined;
  controllerUsername: string;
  adminCacheMs: number;
  relistIntervalMs: number;
  log: Logger;
  processMetrics: boolean;
  /** How long in-flight requests may take to finish at shutdown. */
  shutdownGraceMs?: number;
  tlsReloadIntervalMs?: number;
  timeouts?: Partial<ServerTimeouts>;
}

/** A running webhook service. */
export class WebhookService {
  readonly caches: WebhookCaches;
  readonly metrics: WebhookMetrics;
  readonly #rest: KubeRest;
  readonly #lastUsed: LastUsedTracker;
  readonly #server: WebhookServer;
  readonly #state: { stopping: boolean };
  readonly #graceMs: number;

  private constructor(parts: {
    caches: WebhookCaches;
    metrics: WebhookMetrics;
    rest: KubeRest;
    lastUsed: LastUsedTracker;
    server: WebhookServer;
    state: { stopping: boolean };
    graceMs: number;
  }) {
    this.caches = parts.caches;
    this.metrics = parts.metrics;
    this.#rest = parts.rest;
    this.#lastUsed = parts.lastUsed;
    this.#server = parts.server;
    this.#state = parts.state;
    this.#graceMs = parts.graceMs;
  }

  /** Starts the caches and the server; /readyz turns 200 once the caches have synced. */
  static async start(options: WebhookServiceOptions): Promise<WebhookService> {
    const { log } = options;
    const rest = new KubeRest(options.kubeConfig);
    const metrics = createWebhookMetrics(options.processMetrics);
    const caches = new WebhookCaches({
      rest,
      namespace: options.namespace,
      relistIntervalMs: options.relistIntervalMs,
      log: log.child({ component: "caches" }),
    });
    const lastUsed = new LastUsedTracker({
      intervalMs: options.lastUsedFlushMs,
      cachedStatus: (tokenKey) => {
        const { namespace = "", name } = splitKey(tokenKey);
        const token = caches.facts.serviceToken(namespace, name);
        if (token === undefined) return undefined;
        const at = token.status?.lastUsedAt;
        return { lastUsedAt: at === undefined ? undefined : new Date(at) };
      },
      write: (tokenKey, lastUsedAt) => writeLastUsed(rest, tokenKey, lastUsedAt),
      log: log.child({ component: "last-used" }),
      onOutcome: (outcome) => metrics.lastUsedWrites.inc({ outcome }),
    });
    const adminCheck = new AdminCheck({ rest, ttlMs: options.adminCacheMs });
    const state = { stopping: false };
    const app = createWebhookApp({
      facts: caches.facts,
      hasSynced: () => caches.hasSynced(),
      isReady: () => caches.hasSynced() && !state.stopping,
      recordUse: (tokenKey, at) => lastUsed.record(tokenKey, at),
      isAdmin: (user) => adminCheck.isAdmin(user),
      reviewAccess: (review) => reviewAccess(rest, review),
      fetchServiceUser: (name) => fetchServiceUser(rest, name),
      controllerUsername: options.controllerUsername,
      maxTokenLifetimeDays: options.maxTokenLifetimeDays,
      requireClientCertificate: options.tls.clientCaFile !== undefined,
      metrics,
      log: log.child({ component: "http" }),
      now: () => new Date(),
    });

    caches.start();
    let server: WebhookServer;
    try {
      server = await WebhookServer.start({
        handler: app,
        tls: options.tls,
        host: options.host,
        port: options.port,
        log: log.child({ component: "server" }),
        tlsReloadIntervalMs: options.tlsReloadIntervalMs,
        timeouts: options.timeouts,
      });
    } catch (error) {
      await caches.stop();
      rest.close();
      throw error;
    }
    lastUsed.start();
    const graceMs = options.shutdownGraceMs ?? 10_000;
    return new WebhookService({ caches, metrics, rest, lastUsed, server, state, graceMs });
  }

  get port(): number {
    return this.#server.port;
  }

  /** Resolves once every cache has synced. */
  async synced(): Promise<void> {
    await this.caches.synced();
  }

  isReady(): boolean {
    return this.caches.hasSynced() && !this.#state.stopping;
  }

  /** Graceful stop: not ready, finish in-flight requests, flush last-used, stop the caches. */
  async stop(): Promise<void> {
    if (this.#state.stopping) return;
    this.#state.stopping = true;
    await this.#server.close(this.#graceMs);
    await this.#lastUsed.stop();
    await this.caches.stop();
    this.#rest.close();
  }
}

/** Merge-patches only `status.lastUsedAt`: every other status field is the controller's. */
async function writeLastUsed(rest: KubeRest, tokenKey: string, lastUsedAt: Date): Promise<void> {
  const { namespace, name } = splitKey(tokenKey);
  const path = resourcePath(SERVICE_TOKENS, { namespace, name, subresource: "status" });
  const at = rfc3339(lastUsedAt);
  await rest.request("PATCH", path, { status: { lastUsedAt: at } }, PATCH.merge);
}

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
