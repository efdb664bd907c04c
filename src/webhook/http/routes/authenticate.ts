// src/webhook/http/routes/: one thin handler per endpoint: parse, decide (pure), answer.
// POST /authenticate: the TokenReview webhook (v1 and v1beta1) for kube-apiserver. A lean
// handler on node's request and response (app.ts routes the exact path here before express):
// the same checks as the express routes — kube-apiserver's certificate first, then synced
// caches, a JSON body within the limit — with nothing else on the path.
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  parseTokenReview,
  tokenReviewRefusal,
  tokenReviewResponseJson,
  type TokenReviewRequest,
} from "../../authn/token-review.ts";
import { scanTokenReview } from "../../authn/token-review-scan.ts";
import { admitJson, admitSynced, refuseBody } from "../admit.ts";
import { admitApiserverClient } from "../apiserver-client.ts";
import type { WebhookDeps } from "../deps.ts";
import { sendAnswer, sendStatus, UNCACHED_JSON_HEADERS, type Answer } from "../http-errors.ts";
import { parseStrictJson, readBodyText } from "../json-body.ts";
import type { KeptSlot } from "../../authn/decide.ts";
import { runAuthentication } from "./run-authentication.ts";

/** A TokenReview is a few hundred bytes; anything near this is not one. */
export const AUTHENTICATE_BODY_LIMIT = 64 * 1024;

/** The handler: guard, parse, decide from memory, answer. No I/O on this path. */
export function authenticateHandler(
  deps: WebhookDeps,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    // Who is asking comes first: a stranger learns nothing, not even "not synced yet".
    if (!admitApiserverClient(deps, "authenticate", req, res)) return;
    if (!admitSynced(deps, "authenticate", res)) return;
    if (!admitJson(deps, "authenticate", req, res)) return;
    readBodyText(req, AUTHENTICATE_BODY_LIMIT, (body) => {
      if (!body.ok) {
        refuseBody(deps, "authenticate", res, body.type);
        return;
      }
      // What kube-apiserver sends is read straight from the text; anything else is parsed.
      const scanned = body.text === undefined ? undefined : scanTokenReview(body.text);
      if (scanned !== undefined) answer(deps, scanned, res);
      else parseAndAnswer(deps, body.text, res);
    });
  };
}

/** The body as JSON (body-parser's strict rules), then as a TokenReview, each refused in turn. */
function parseAndAnswer(deps: WebhookDeps, text: string | undefined, res: ServerResponse): void {
  const json = text === undefined ? { ok: true as const, value: undefined } : parseStrictJson(text);
  if (!json.ok) {
    refuseBody(deps, "authenticate", res, json.type);
    return;
  }
  const parsed = parseTokenReview(json.value);
  if (!parsed.ok) {
    deps.metrics.rejectedRequests.inc({ route: "authenticate", code: 400 });
    sendStatus(res, 400, parsed.reason);
    return;
  }
  answer(deps, parsed.value, res);
}

function answer(deps: WebhookDeps, request: TokenReviewRequest, res: ServerResponse): void {
  sendAnswer(res, authenticateReview(deps, request));
}

/** Authenticates the review's token: the TokenReview answer (lean routes share it). */
export function authenticateReview(deps: WebhookDeps, request: TokenReviewRequest): Answer {
  const { apiVersion, token, audiences } = request;
  const served: KeptSlot = { kept: undefined };
  const decision = runAuthentication(deps, "authenticate", token, audiences, served);
  // A kept success's answer is made once, with its length (verdict-cache.ts).
  if (served.kept !== undefined) {
    const { json, bytes } = served.kept.answer(apiVersion);
    return { status: 200, headers: UNCACHED_JSON_HEADERS, body: json, bodyBytes: bytes };
  }
  const body = decision
    ? tokenReviewResponseJson(decision, apiVersion)
    : JSON.stringify(tokenReviewRefusal("internal error", apiVersion));
  return { status: 200, headers: UNCACHED_JSON_HEADERS, body };
}
