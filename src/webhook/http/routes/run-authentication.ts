// One authentication, as both /authenticate and /verify run it: decide from the caches, count
// it, log who it was (token id, never the token), and note the use for last-used. Successes go
// to the aggregated success log; failures are logged one by one.
import { performance } from "node:perf_hooks";
import { errorMessage } from "../../../k8s/errors.ts";
import {
  decideAuthentication,
  type AuthenticationDecision,
  type KeptSlot,
} from "../../authn/decide.ts";
import { successAttribution } from "../../authn/success-log.ts";
import type { AuthenticationEndpoint } from "../../metrics.ts";
import type { WebhookDeps } from "../deps.ts";

export type { AuthenticationEndpoint } from "../../metrics.ts";

/**
 * Decides, observes and records; an internal error refuses the token (fail closed). A success
 * served from the verdict cache is named in `served`.
 */
export function runAuthentication(
  deps: WebhookDeps,
  endpoint: AuthenticationEndpoint,
  token: string,
  audiences: readonly string[],
  served: KeptSlot = { kept: undefined },
): AuthenticationDecision | undefined {
  const started = performance.now();
  const now = deps.now();
  let decision: AuthenticationDecision;
  try {
    decision = decideAuthentication(token, audiences, deps.facts, now, served);
  } catch (error) {
    deps.log.error({ endpoint, err: errorMessage(error) }, "authentication failed internally");
    deps.metrics.authentications.inc({ endpoint, result: "error", reason: "internal" });
    return undefined;
  }
  // The hot series are counted in plain fields and handed to prom-client at each scrape.
  const series = deps.metrics.authenticationSeries[endpoint];
  series.seconds.observe((performance.now() - started) / 1000);

  if (decision.authenticated) {
    series.successes.inc();
    const { kept } = served;
    // Counted on the kept entry: no per-token bookkeeping on the request (record 91).
    if (kept !== undefined && deps.countKeptUse?.(kept, endpoint, now.getTime()) === true) {
      return decision;
    }
    deps.recordUse(decision.tokenKey, now);
    const success = successAttribution(decision, endpoint);
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
