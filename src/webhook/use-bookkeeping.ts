// What a successful authentication leaves behind, wired once for the service and the
// benchmarks alike: the last-used tracker, the success log, and the hooks the authentication
// routes call. Uses served from the verdict cache are counted on their kept entries and taken
// by both at their flush (record 91).
import type { Logger } from "pino";
import type { Clock } from "../k8s/clock.ts";
import { splitKey } from "../k8s/object.ts";
import { LastUsedTracker } from "./authn/last-used.ts";
import { SuccessLog } from "./authn/success-log.ts";
import type { CachedFacts } from "./cache/cached-facts.ts";
import type { CacheFreshness } from "./cache/freshness.ts";
import type { WebhookDeps } from "./http/deps.ts";
import type { WebhookMetrics } from "./metrics.ts";

export interface UseBookkeeping {
  lastUsed: LastUsedTracker;
  successLog: SuccessLog;
  /** For WebhookDeps. */
  hooks: Pick<WebhookDeps, "recordUse" | "noteSuccess" | "countKeptUse">;
}

export function useBookkeeping(options: {
  facts: CachedFacts;
  freshness: Pick<CacheFreshness, "isLagging">;
  /** The last-used tracker's logger, and the success log's (the HTTP one). */
  log: Logger;
  httpLog: Logger;
  metrics: WebhookMetrics;
  lastUsedFlushMs: number;
  /** Default: the last-used flush interval, so a busy token costs one line and one write each. */
  successLogIntervalMs?: number;
  /** Merge-patches `status.lastUsedAt` of the token `namespace/name`. */
  writeLastUsed: (tokenKey: string, lastUsedAt: Date) => Promise<void>;
  /** The success log's clock (tests move it by hand). */
  clock?: Clock;
}): UseBookkeeping {
  const { facts, freshness, metrics } = options;
  const lastUsed = new LastUsedTracker({
    intervalMs: options.lastUsedFlushMs,
    cachedStatus: (tokenKey) => {
      const { namespace = "", name } = splitKey(tokenKey);
      const token = facts.serviceToken(namespace, name);
      if (token === undefined) return undefined;
      const at = token.status?.lastUsedAt;
      return { lastUsedAt: at === undefined ? undefined : new Date(at) };
    },
    write: options.writeLastUsed,
    log: options.log,
    onOutcome: (outcome) => metrics.lastUsedWrites.inc({ outcome }),
    keptUses: facts.verdicts,
  });
  const successLog = new SuccessLog({
    log: options.httpLog,
    intervalMs: options.successLogIntervalMs ?? options.lastUsedFlushMs,
    logEachWhile: () => freshness.isLagging(),
    // A token's first line is written after its answer went out.
    writeLater: true,
    keptUses: facts.verdicts,
    clock: options.clock,
  });
  return {
    lastUsed,
    successLog,
    hooks: {
      recordUse: (tokenKey, at) => lastUsed.record(tokenKey, at),
      noteSuccess: (attribution) => successLog.note(attribution),
      countKeptUse: (kept, endpoint, nowMs) => successLog.countKept(kept, endpoint, nowMs),
    },
  };
}
