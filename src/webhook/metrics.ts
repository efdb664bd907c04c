// Prometheus metrics of the webhook service, on a registry of its own (tests build several).
import { Counter, Histogram, type Registry } from "prom-client";
import {
  DeferredCount,
  DeferredObservations,
  foldAll,
  type Deferred,
} from "../metrics-deferred.ts";
import { metricsRegistry } from "../metrics-registry.ts";

/** The endpoints that authenticate tokens (the `endpoint` label). */
export type AuthenticationEndpoint = "authenticate" | "verify";

/**
 * The series every authentication (`seconds`) and every success (`successes`) touches, kept off
 * prom-client's per-call work (metrics-deferred.ts) and handed to it at each scrape: the same
 * names, labels and values.
 */
export interface AuthenticationSeries {
  /** `authentications_total{endpoint, result="success", reason=""}`. */
  successes: DeferredCount;
  /** `authentication_duration_seconds{endpoint}`. */
  seconds: DeferredObservations;
}

/** The webhook's metrics. */
export interface WebhookMetrics {
  registry: Registry;
  /** By endpoint (authenticate, verify), result (success, failure, error, malformed) and reason. */
  authentications: Counter<"endpoint" | "result" | "reason">;
  authenticationSeconds: Histogram<"endpoint">;
  /** The hot series of `authentications` and `authenticationSeconds`, per endpoint. */
  authenticationSeries: Record<AuthenticationEndpoint, AuthenticationSeries>;
  /** By resource, operation and allowed (true, false). */
  admissionDecisions: Counter<"resource" | "operation" | "allowed">;
  admissionSeconds: Histogram<"resource">;
  /** By outcome (written, skipped, gone, failed). */
  lastUsedWrites: Counter<"outcome">;
  /** /authorize answers by decision (no-opinion, deny, allow, error) and reason. */
  authorizations: Counter<"decision" | "reason">;
  authorizationSeconds: Histogram;
  /** HTTP requests refused before reaching a decision, by route and status code. */
  rejectedRequests: Counter<"route" | "code">;
  /** Admin checks (SubjectAccessReviews) by outcome: asked, or throttled by the rate limit. */
  adminChecks: Counter<"outcome">;
  /** Requests met while the caches lagged: decided anyway (served) or refused past the bound. */
  staleDecisions: Counter<"outcome">;
  /** Requests the webhook made to the API server (caches, Admin checks, last used). */
  apiRequests: Counter<"verb" | "resource" | "code">;
}

/** Creates the metrics; process metrics only for the real service (one per process). */
export function createWebhookMetrics(withProcessMetrics: boolean): WebhookMetrics {
  const { registry, registers } = metricsRegistry(withProcessMetrics);
  const deferred: Deferred[] = [];
  // Either metric scraped hands over what both hold, so each reads as current.
  const collect = (): void => foldAll(deferred);
  const authentications = new Counter({
    name: "svctokens_webhook_authentications_total",
    help: "Token authentications by endpoint, result and reason.",
    labelNames: ["endpoint", "result", "reason"],
    registers,
    collect,
  });
  const authenticationSeconds = new Histogram({
    name: "svctokens_webhook_authentication_duration_seconds",
    help: "Time to answer one authentication, from parsed request to answer.",
    labelNames: ["endpoint"],
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
    registers,
    collect,
  });
  const seriesOf = (endpoint: AuthenticationEndpoint): AuthenticationSeries => {
    const series = {
      successes: new DeferredCount(
        authentications.labels({ endpoint, result: "success", reason: "" }),
      ),
      seconds: new DeferredObservations(authenticationSeconds.labels({ endpoint })),
    };
    deferred.push(series.successes, series.seconds);
    return series;
  };
  return {
    registry,
    authentications,
    authenticationSeconds,
    authenticationSeries: { authenticate: seriesOf("authenticate"), verify: seriesOf("verify") },
    admissionDecisions: new Counter({
      name: "svctokens_webhook_admission_decisions_total",
      help: "Admission decisions by resource, operation and whether the request was allowed.",
      labelNames: ["resource", "operation", "allowed"],
      registers,
    }),
    admissionSeconds: new Histogram({
      name: "svctokens_webhook_admission_duration_seconds",
      help: "Time to answer one admission review, including the Admin check.",
      labelNames: ["resource"],
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    lastUsedWrites: new Counter({
      name: "svctokens_webhook_last_used_writes_total",
      help: "Flushes of status.lastUsedAt by outcome (written, skipped, gone, failed).",
      labelNames: ["outcome"],
      registers,
    }),
    authorizations: new Counter({
      name: "svctokens_webhook_authorizations_total",
      help: "SubjectAccessReviews answered at /authorize, by decision and reason.",
      labelNames: ["decision", "reason"],
      registers,
    }),
    authorizationSeconds: new Histogram({
      name: "svctokens_webhook_authorization_duration_seconds",
      help: "Time to answer one SubjectAccessReview, including an RBAC review after a promotion.",
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
      registers,
    }),
    rejectedRequests: new Counter({
      name: "svctokens_webhook_rejected_requests_total",
      help: "Requests refused before a decision (malformed, too large, wrong type), by code.",
      labelNames: ["route", "code"],
      registers,
    }),
    adminChecks: new Counter({
      name: "svctokens_webhook_admin_checks_total",
      help: "SubjectAccessReviews the Admin check asked (asked) or refused to ask because the rate limit was spent (throttled).",
      labelNames: ["outcome"],
      registers,
    }),
    apiRequests: new Counter({
      name: "svctokens_webhook_api_requests_total",
      help: "Requests the webhook made to the API server, by verb, resource and HTTP code.",
      labelNames: ["verb", "resource", "code"],
      registers,
    }),
    staleDecisions: new Counter({
      name: "svctokens_webhook_stale_cache_decisions_total",
      help: "Requests met while the caches lagged: served (decided from stale data) or refused (past the staleness bound).",
      labelNames: ["outcome"],
      registers,
    }),
  };
}
