// The one way both processes (controller and webhook service) start their Prometheus metrics:
// a registry of their own, so that tests can build several in one process.
import { Registry, collectDefaultMetrics } from "prom-client";

/** A fresh registry (with Node's process metrics for a real process) and the `registers` list. */
export function metricsRegistry(withProcessMetrics: boolean): {
  registry: Registry;
  registers: Registry[];
} {
  const registry = new Registry();
  if (withProcessMetrics) collectDefaultMetrics({ register: registry });
  return { registry, registers: [registry] };
}
