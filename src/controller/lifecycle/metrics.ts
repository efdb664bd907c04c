// The lifecycle metrics behind the shipped alerts (deploy/monitoring/): how many tokens expire
// within 1, 7 and 30 days, how many are unused per namespace, and what the policies did.
// Labels stay bounded: windows, namespaces and action kinds, never one series per token (the
// per-token expiry is svctokens_token_expiry_timestamp_seconds).
import { Counter, Gauge, type Registry } from "prom-client";
import { ServiceTokenPhase } from "../../api/index.ts";
import type { KubeObject } from "../../k8s/object.ts";
import { EXPIRY_NOTICE_DAYS, type LifecycleAction, type LifecycleSettings } from "./decide.ts";
import { DAY_MS, tokenLifeFacts, unusedFor, type LifecycleTokenView } from "./token-facts.ts";

/** The lifecycle's metrics, on the controller's registry. */
export interface LifecycleMetrics {
  expiring: Gauge<"within">;
  unused: Gauge<"namespace">;
  actions: Counter<"action">;
}

export function createLifecycleMetrics(registry: Registry): LifecycleMetrics {
  const registers = [registry];
  return {
    expiring: new Gauge({
      name: "svctokens_tokens_expiring",
      help: "Active ServiceTokens expiring within 1d, 7d or 30d (cumulative: 7d includes 1d).",
      labelNames: ["within"],
      registers,
    }),
    unused: new Gauge({
      name: "svctokens_tokens_unused",
      help: "Active ServiceTokens not used for SVCTOKENS_UNUSED_AFTER_DAYS, by namespace.",
      labelNames: ["namespace"],
      registers,
    }),
    actions: new Counter({
      name: "svctokens_lifecycle_actions_total",
      help: "What the lifecycle policies did: notice-expiring, notice-unused, revoke-unused, delete-expired, ...",
      labelNames: ["action"],
      registers,
    }),
  };
}

/** Counts one action the controller carried out. */
export function countAction(metrics: LifecycleMetrics, action: LifecycleAction): void {
  metrics.actions.inc({ action: action.kind });
}

interface GaugeTokenView extends LifecycleTokenView {
  metadata?: LifecycleTokenView["metadata"] & { namespace?: string };
  spec?: LifecycleTokenView["spec"] & { serviceUser?: string };
}

/**
 * Refreshes the gauges from the cached tokens (at scrape time). Tokens of a deactivated
 * ServiceUser do not authenticate: they are neither expiring nor unused here, as for the
 * notices. `userActive` says whether a user (by name) is active; unknown users count.
 */
export function refreshLifecycleGauges(
  tokens: readonly KubeObject[],
  userActive: (name: string) => boolean,
  metrics: LifecycleMetrics,
  settings: LifecycleSettings,
  now: Date,
): void {
  const expiring = new Map<number, number>(EXPIRY_NOTICE_DAYS.map((days) => [days, 0]));
  const unused = new Map<string, number>();
  for (const token of tokens as readonly GaugeTokenView[]) {
    const facts = tokenLifeFacts(token, now);
    if (facts?.phase !== ServiceTokenPhase.Active) continue;
    if (!userActive(token.spec?.serviceUser ?? "")) continue;
    const left = facts.expiresAt && facts.expiresAt.getTime() - now.getTime();
    for (const days of EXPIRY_NOTICE_DAYS) {
      if (left !== undefined && left <= days * DAY_MS) {
        expiring.set(days, (expiring.get(days) ?? 0) + 1);
      }
    }
    if (unusedFor(facts, settings.unusedAfterDays, now)) {
      const namespace = token.metadata?.namespace ?? "";
      unused.set(namespace, (unused.get(namespace) ?? 0) + 1);
    }
  }
  for (const [days, count] of expiring) metrics.expiring.set({ within: `${days}d` }, count);
  // Namespaces without unused tokens drop out instead of lingering at their last count.
  metrics.unused.reset();
  for (const [namespace, count] of unused) metrics.unused.set({ namespace }, count);
}
