// One authentication, as both /authenticate and /verify run it: decide from the caches, count
// it, log who it was (token id, never the token), and note the use for last-used.
import { performance } from "node:perf_hooks";
import { errorMessage } from "../../../k8s/errors.ts";
import { decideAuthentication, type AuthenticationDecision } from "../../authn/decide.ts";
import type { WebhookDeps } from "../deps.ts";

export type AuthenticationEndpoint = "authenticate" | "verify";

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
  deps.metrics.authenticationSeconds.observe({ endpoint }, (performance.now() - started) / 1000);

  const attribution = {
    endpoint,
    tokenId: decision.tokenId,
    serviceToken: decision.tokenKey,
    serviceUser: decision.serviceUser,
  };
  if (decision.authenticated) {
    deps.metrics.authentications.inc({ endpoint, result: "success", reason: "" });
    deps.recordUse(decision.tokenKey, now);
    deps.log.info({ ...attribution, audiences: decision.audiences }, "token authenticated");
  } else {
    const { reason } = decision;
    deps.metrics.authentications.inc({ endpoint, result: "failure", reason });
    // Look-alikes are noise (scanners, typos); everything else names the token it was about.
    if (reason === "malformed" || reason === "unknown") {
      deps.log.debug({ endpoint, reason }, "token refused");
    } else {
      deps.log.info({ ...attribution, reason }, "token refused");
    }
  }
  return decision;
}
