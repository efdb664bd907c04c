// /verify, any method: forward-auth for ingress controllers and API gateways (nginx
// auth_request, Traefik ForwardAuth, Envoy ext_authz over HTTP with a path prefix). A Bearer
// token in, identity headers out. Which paths are /verify: authn/verify-target.ts; the answer:
// authn/verify-decision.ts. A hot route: answered on node's request below express (app.ts).
import type { IncomingMessage, ServerResponse } from "node:http";
import { decideVerify, type VerifyAnswer } from "../../authn/verify-decision.ts";
import type { VerifyTarget } from "../../authn/verify-target.ts";
import { admitSynced } from "../admit.ts";
import type { WebhookDeps } from "../deps.ts";
import { sendAnswer, sendStatus } from "../http-errors.ts";
import { runAuthentication } from "./run-authentication.ts";

/** A /verify request's target: its parameters, or why they are malformed. */
export type VerifyRequestTarget = Exclude<VerifyTarget, { kind: "other" }>;

/** Answers a request app.ts found to be a /verify one; the caches must be synced first. */
export function verifyHandler(
  deps: WebhookDeps,
): (req: IncomingMessage, res: ServerResponse, target: VerifyRequestTarget) => void {
  return (req, res, target) => {
    if (!admitSynced(deps, "verify", res)) return;
    if (target.kind === "invalid") {
      deps.metrics.rejectedRequests.inc({ route: "verify", code: 400 });
      sendStatus(res, 400, target.reason);
      return;
    }
    sendAnswer(res, verifyAnswer(deps, target, req.headers.authorization), req.method === "HEAD");
  };
}

/** The answer to a /verify request whose target parsed (lean routes share it), Content-Type set. */
export function verifyAnswer(
  deps: WebhookDeps,
  target: Extract<VerifyTarget, { kind: "verify" }>,
  authorization: string | undefined,
): VerifyAnswer {
  const answer = decideVerify({ ...target, authorization }, (token, audiences) =>
    runAuthentication(deps, "verify", token, audiences),
  );
  // A valid token without a required group: authenticated (and counted so), then refused.
  if (answer.status === 403) deps.metrics.rejectedRequests.inc({ route: "verify", code: 403 });
  answer.headers["Content-Type"] = "text/plain; charset=utf-8";
  return answer;
}
