// One authentication, as both /authenticate and /verify run it: decide from the caches, count
// it, log who it was (token id, never the token), and note the use for last-used. Successes go
// to the aggregated success log; failures are logged one by one.
import { performance } from "node:perf_hooks";
import type { Counter, Histogram } from "prom-client";
import { errorMessage } from "../../../k8s/errors.ts";
import { decideAuthentication, type AuthenticationDecision } from "../../authn/decide.ts";
import type { WebhookMetrics } from "../../metrics.ts";
import type { WebhookDeps } from "../deps.ts";

export type AuthenticationEndpoint = "authenticate" | "verify";

/** The metric series every success touches, bound once per metrics and endpoint. */
interface BoundSeries {
  success: ReturnType<Counter<"endpoint" | "result" | "reason">["labels"]>;
  seconds: ReturnType<Histogram<"endpoint">["labels"]>;
}
const bound = new WeakMap<WebhookMetrics, Map<AuthenticationEndpoint, BoundSeries>>();

function seriesOf(metrics: WebhookMetrics, endpoint: AuthenticationEndpoint): BoundSeries {
  let byEndpoint = bound.get(metrics);
  if (byEndpoint === undefined) {
    byEndpoint = new Map<AuthenticationEndpoint, BoundSeries>();
    bound.set(metrics, byEndpoint);
  }
  let series = byEndpoint.get(endpoint);
  if (series === undefined) {
    series = {
      success: metrics.authentications.labels({ endpoint, result: "success", reason: "" }),
      seconds: metrics.authenticationSeconds.labels({ endpoint }),
    };
    byEndpoint.set(endpoint, series);
  }
  return series;
}

/** Decides, observes and records; an internal error refuses the token (fail closed). */
export function runAuthentication(
  deps: WebhookDeps,
  endpoint: AuthenticationEndpoint,
  token: string,
  audiences: readonly string[],
): AuthenticationDecision | undefined {
  const started = performance.now();
  const now = deps.now();
  let decision: AuthenticationDecision;
  try {
    decision = decideAuthentication(token, audiences, deps.facts, now);
  } catch (error) {
    deps.log.error({ endpoint, err: errorMessage(error) }, "authentication failed internally");
    deps.metrics.authentications.inc({ endpoint, result: "error", reason: "internal" });
    return undefined;
  }
  const series = seriesOf(deps.metrics, endpoint);
  series.seconds.observe((performance.now() - started) / 1000);

  if (decision.authenticated) {
    series.success.inc();
    deps.recordUse(decision.tokenKey, now);
    const success = {
      endpoint,
      tokenId: decision.tokenId,
      serviceToken: decision.tokenKey,
      serviceUser: decision.serviceUser,
      audiences: decision.audiences,
    };
    if (deps.noteSuccess) deps.noteSuccess(success);
    else deps.log.info(success, "token authenticated");
  } else {
    const { reason } = decision;
    deps.metrics.authentications.inc({ endpoint, result: "failure", reason });
    // Look-alikes are noise (scanners, typos); everything else names the token it was about.
    if (reason === "malformed" || reason === "unknown") {
      deps.log.debug({ endpoint, reason }, "token refused");
    } else {
      const attribution = {
        endpoint,
        tokenId: decision.tokenId,
        serviceToken: decision.tokenKey,
        serviceUser: decision.serviceUser,
      };
      deps.log.info({ ...attribution, reason }, "token refused");
    }
  }
  return decision;
}
