// POST /authenticate: the TokenReview webhook for kube-apiserver and in-cluster services.
import type { TLSSocket } from "node:tls";
import type { Request, Response } from "express";
import {
  parseTokenReview,
  tokenReviewRefusal,
  tokenReviewResponse,
} from "../../authn/token-review.ts";
import type { WebhookDeps } from "../deps.ts";
import { sendStatus } from "../http-errors.ts";
import { runAuthentication } from "./run-authentication.ts";

/** The handler: parse, decide from memory, answer. No I/O on this path. */
export function authenticateHandler(deps: WebhookDeps): (req: Request, res: Response) => void {
  return (req, res) => {
    res.set("Cache-Control", "no-store");
    if (deps.requireClientCertificate && !(req.socket as TLSSocket).authorized) {
      deps.metrics.rejectedRequests.inc({ route: "authenticate", code: 401 });
      deps.log.warn(
        { remote: req.socket.remoteAddress },
        "TokenReview without a valid client certificate",
      );
      sendStatus(res, 401, "a client certificate signed by the configured CA is required");
      return;
    }
    const parsed = parseTokenReview(req.body);
    if (!parsed.ok) {
      deps.metrics.rejectedRequests.inc({ route: "authenticate", code: 400 });
      sendStatus(res, 400, parsed.reason);
      return;
    }
    const { token, audiences } = parsed.value;
    const decision = runAuthentication(deps, "authenticate", token, audiences);
    res.json(decision ? tokenReviewResponse(decision) : tokenReviewRefusal("internal error"));
  };
}
