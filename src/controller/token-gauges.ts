// Gauges computed from the caches at scrape time: tokens by phase and each token's expiry.
import { ServiceTokenPhase } from "../api/index.ts";
import type { ControllerCaches } from "./caches.ts";
import type { ControllerMetrics } from "./metrics.ts";

interface TokenView {
  metadata?: { namespace?: string; name?: string };
  status?: { phase?: string; tokenId?: string; expiresAt?: string };
}

/** Refreshes `svctokens_tokens{phase}` and `svctokens_token_expiry_timestamp_seconds`. */
export function refreshTokenGauges(caches: ControllerCaches, metrics: ControllerMetrics): void {
  const counts = new Map<string, number>(
    Object.values(ServiceTokenPhase).map((phase) => [phase, 0]),
  );
  metrics.tokenExpiry.reset();
  for (const token of caches.tokens.list() as TokenView[]) {
    const phase = token.status?.phase;
    if (phase && counts.has(phase)) counts.set(phase, (counts.get(phase) ?? 0) + 1);
    const expiresAt = token.status?.expiresAt;
    if (expiresAt && phase === ServiceTokenPhase.Active) {
      metrics.tokenExpiry.set(
        {
          namespace: token.metadata?.namespace ?? "",
          name: token.metadata?.name ?? "",
          token_id: token.status?.tokenId ?? "",
        },
        Date.parse(expiresAt) / 1000,
      );
    }
  }
  for (const [phase, count] of counts) metrics.tokensByPhase.set({ phase }, count);
}
