// /verify, any method: forward-auth for ingress controllers and API gateways (nginx
// auth_request, Traefik ForwardAuth, Envoy ext_authz over HTTP with a path prefix). A Bearer
// token in, identity headers out. Which paths are /verify: authn/verify-target.ts; the answer:
// authn/verify-decision.ts.
import type { Request, RequestHandler, Response } from "express";
import { decideVerify } from "../../authn/verify-decision.ts";
import { verifyTarget, type VerifyTarget } from "../../authn/verify-target.ts";
import type { WebhookDeps } from "../deps.ts";
import { sendStatus } from "../http-errors.ts";
import { runAuthentication } from "./run-authentication.ts";

/** The raw query string of a request ("" when none): parsed once, by verifyTarget. */
export function rawQuery(req: Request): string {
  const question = req.originalUrl.indexOf("?");
  return question === -1 ? "" : req.originalUrl.slice(question + 1);
}

/**
 * Every /verify request, whatever its method and sub-path; any other path goes on (`next`).
 * `gate` runs first (the caches must be synced), as on the other routes.
 */
export function verifyRoute(deps: WebhookDeps, gate: RequestHandler): RequestHandler {
  return (req, res, next) => {
    const target = verifyTarget(req.path, rawQuery(req));
    if (target.kind === "other") {
      next();
      return;
    }
    gate(req, res, () => answerVerify(deps, target, req, res));
  };
}

function answerVerify(
  deps: WebhookDeps,
  target: Exclude<VerifyTarget, { kind: "other" }>,
  req: Request,
  res: Response,
): void {
  if (target.kind === "invalid") {
    deps.metrics.rejectedRequests.inc({ route: "verify", code: 400 });
    sendStatus(res, 400, target.reason);
    return;
  }
  const answer = decideVerify(
    { ...target, authorization: req.headers.authorization },
    (token, audiences) => runAuthentication(deps, "verify", token, audiences),
  );
  // A valid token without a required group: authenticated (and counted so), then refused.
  if (answer.status === 403) deps.metrics.rejectedRequests.inc({ route: "verify", code: 403 });
  res.status(answer.status).set(answer.headers).type("text/plain").send(answer.body);
}
