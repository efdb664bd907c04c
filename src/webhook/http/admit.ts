// The checks every deciding route runs before its handler, on node's request and response (so
// the lean routes and express middleware share them): caches synced, and a JSON body. Each
// answers a refusal itself and returns false; true means "go on".
import type { IncomingMessage, ServerResponse } from "node:http";
import type { WebhookDeps } from "./deps.ts";
import {
  BODY_ERRORS,
  sendAnswer,
  sendStatus,
  statusBody,
  UNCACHED_JSON_HEADERS,
  type Answer,
} from "./http-errors.ts";

const NOT_SYNCED = "caches are not synced yet; retry shortly";

/** The 503 of a route asked before its caches may decide, counted (admitSynced sends it). */
export function notSyncedAnswer(deps: Pick<WebhookDeps, "metrics">, route: string): Answer {
  deps.metrics.rejectedRequests.inc({ route, code: 503 });
  return {
    status: 503,
    headers: { "Retry-After": "1", ...UNCACHED_JSON_HEADERS },
    body: statusBody(503, NOT_SYNCED),
  };
}

/**
 * Until the caches have synced, a decision would be made on partial facts: answer 503 so the
 * caller treats it as an error to retry (kube-apiserver caches a "no", not an error).
 */
export function admitSynced(
  deps: Pick<WebhookDeps, "hasSynced" | "metrics">,
  route: string,
  res: ServerResponse,
): boolean {
  if (deps.hasSynced()) return true;
  sendAnswer(res, notSyncedAnswer(deps, route));
  return false;
}

/** Only `application/json` (any charset parameter) is read; anything else is a 415. */
export function admitJson(
  deps: Pick<WebhookDeps, "metrics">,
  route: string,
  req: IncomingMessage,
  res: ServerResponse,
): boolean {
  const type = req.headers["content-type"];
  // The common spelling needs no parsing.
  if (type === "application/json") return true;
  const mediaType = (type ?? "").split(";")[0]?.trim().toLowerCase();
  if (mediaType === "application/json") return true;
  deps.metrics.rejectedRequests.inc({ route, code: 415 });
  sendStatus(res, 415, "Content-Type must be application/json");
  return false;
}

/** A body-parser error type answered: counted, logged by type only, a short Status. */
export function refuseBody(
  deps: Pick<WebhookDeps, "metrics" | "log">,
  route: string,
  res: ServerResponse,
  type: string,
): void {
  const [code, message] = BODY_ERRORS[type] ?? [400, "bad request"];
  deps.metrics.rejectedRequests.inc({ route, code });
  // The type only: a JSON parse error's message quotes the body, which may hold a token.
  deps.log.debug({ route, code, type }, "request refused");
  sendStatus(res, code, message);
}
