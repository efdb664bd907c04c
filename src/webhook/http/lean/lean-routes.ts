// Which lean requests are answered here and how: POST /authenticate as kube-apiserver sends it,
// and /verify. The same checks and the same answers as the routes on node's request
// (routes/authenticate.ts, routes/verify.ts, whose deciding code this shares); a request that
// would need any of their refusals before the caches are asked (a client that is not
// kube-apiserver, another media type, a compressed or unreadable body, malformed /verify
// parameters) is left to them: `undefined`, and the connection goes to node's HTTP server.
import type { TLSSocket } from "node:tls";
import { scanTokenReview } from "../../authn/token-review-scan.ts";
import { verifyTarget } from "../../authn/verify-target.ts";
import { notSyncedAnswer } from "../admit.ts";
import { clientAdmitted } from "../apiserver-client.ts";
import type { WebhookDeps } from "../deps.ts";
import type { Answer } from "../http-errors.ts";
import { authenticateReview } from "../routes/authenticate.ts";
import { verifyAnswer } from "../routes/verify.ts";
import type { LeanRequest } from "./parse-request.ts";

/** An answer, or undefined: node's routes answer this request. */
export type LeanResponder = (request: LeanRequest, socket: TLSSocket) => Answer | undefined;

const UTF8_BOM = 0xef;

/** The lean routes over `deps`. */
export function leanRoutes(deps: WebhookDeps): LeanResponder {
  return (request, socket) => {
    if (request.path === "/authenticate") {
      return request.method === "POST" ? authenticate(deps, request, socket) : undefined;
    }
    const target = verifyTarget(request.path, request.query);
    if (target.kind !== "verify") return undefined;
    // Asked once per decision (it counts decisions made from lagging caches).
    if (!deps.hasSynced()) return notSyncedAnswer(deps, "verify");
    return verifyAnswer(deps, target, request.authorization);
  };
}

function authenticate(
  deps: WebhookDeps,
  request: LeanRequest,
  socket: TLSSocket,
): Answer | undefined {
  if (!clientAdmitted(deps, socket)) return undefined;
  // The spelling kube-apiserver sends; a charset, another type or an encoding is node's.
  if (request.contentType !== "application/json" || request.contentEncoding !== undefined) {
    return undefined;
  }
  // A BOM is stripped by the decoder on node's route; rare enough to leave to it.
  if (request.body.length === 0 || request.body[0] === UTF8_BOM) return undefined;
  const scanned = scanTokenReview(request.body.toString("utf8"));
  if (scanned === undefined) return undefined;
  if (!deps.hasSynced()) return notSyncedAnswer(deps, "authenticate");
  return authenticateReview(deps, scanned);
}
