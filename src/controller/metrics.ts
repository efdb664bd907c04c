// Prometheus metrics of the controller.
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { metricsRegistry } from "../metrics-registry.ts";

/** The controller's metrics, on a registry of its own (several controllers can share a test process). */
export interface ControllerMetrics {
  registry: Registry;
  reconciles: Counter<"kind" | "result">;
  reconcileSeconds: Histogram<"kind">;
  apiRequests: Counter<"verb" | "resource" | "code">;
  tokensByPhase: Gauge<"phase">;
  tokenExpiry: Gauge<"namespace" | "name" | "token_id">;
  isLeader: Gauge;
}

/** Creates the metrics; `collect` hooks fill the gauges from the caches at scrape time. */
export function createControllerMetrics(withProcessMetrics: boolean): ControllerMetrics {
  const { registry, registers } = metricsRegistry(withProcessMetrics);
  return {
    registry,
    reconciles: new Counter({
      name: "svctokens_controller_reconciles_total",
      help: "Reconciles by kind and result (success, error, requeue, terminal).",
      labelNames: ["kind", "result"],
      registers,
    }),
    reconcileSeconds: new Histogram({
      name: "svctokens_controller_reconcile_duration_seconds",
      help: "Time spent in one reconcile.",
      labelNames: ["kind"],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    apiRequests: new Counter({
      name: "svctokens_controller_api_requests_total",
      help: "Requests the controller made to the API server, by verb, resource and HTTP code.",
      labelNames: ["verb", "resource", "code"],
      registers,
    }),
    tokensByPhase: new Gauge({
      name: "svctokens_tokens",
      help: "ServiceTokens by phase, as last reconciled.",
      labelNames: ["phase"],
      registers,
    }),
    tokenExpiry: new Gauge({
      name: "svctokens_token_expiry_timestamp_seconds",
      help: "When each expiring ServiceToken expires (Unix seconds).",
      labelNames: ["namespace", "name", "token_id"],
      registers,
    }),
    isLeader: new Gauge({
      name: "svctokens_controller_leader",
      help: "1 while this replica holds the leader Lease.",
      registers,
    }),
  };
}
