// src/webhook/http/routes/: one thin handler per endpoint: parse, decide (pure), answer.
// POST /authenticate: the TokenReview webhook (v1 and v1beta1) for kube-apiserver. Who may
// call it is checked before this handler (apiserver-client.ts).
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
    const parsed = parseTokenReview(req.body);
    if (!parsed.ok) {
      deps.metrics.rejectedRequests.inc({ route: "authenticate", code: 400 });
      sendStatus(res, 400, parsed.reason);
      return;
    }
    const { apiVersion, token, audiences } = parsed.value;
    const decision = runAuthentication(deps, "authenticate", token, audiences);
    res.json(
      decision
        ? tokenReviewResponse(decision, apiVersion)
        : tokenReviewRefusal("internal error", apiVersion),
    );
  };
}
