// src/webhook/http/: the HTTPS app, server, deps and errors; routes/ has handlers.
// The webhook service's HTTPS surface (express 5): routes, strict JSON intake, and error answers
// that never echo the request. TLS and timeouts live in server.ts; probes and metrics are on a
// plain-HTTP port of their own (src/health-server.ts), never here.
import express, {
  type Express,
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from "express";
import { errorMessage } from "../../k8s/errors.ts";
import type { IncomingMessage, ServerResponse } from "node:http";
import { verifyTarget } from "../authn/verify-target.ts";
import { admitJson, admitSynced } from "./admit.ts";
import { requireApiserverClient } from "./apiserver-client.ts";
import { AUTHENTICATE_BODY_LIMIT, authenticateHandler } from "./routes/authenticate.ts";
import { authorizeHandler } from "./routes/authorize.ts";
import type { WebhookDeps } from "./deps.ts";
import { BODY_ERRORS, sendStatus } from "./http-errors.ts";
import { mutateHandler } from "./routes/mutate.ts";
import { validateHandler } from "./routes/validate.ts";
import { verifyHandler } from "./routes/verify.ts";

export type { WebhookDeps } from "./deps.ts";

/** A TokenReview is a few hundred bytes; anything near this is not one. */
export { AUTHENTICATE_BODY_LIMIT };
/** An AdmissionReview carries the object twice (old and new), managed fields included. */
export const VALIDATE_BODY_LIMIT = 512 * 1024;

/** The webhook's request handler, for node:https. */
export type WebhookHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Builds the handler; `deps` supplies everything it reads, so tests run it on in-memory facts.
 * The hot routes are answered by lean handlers before express: POST /authenticate at its exact
 * path, and every /verify request (any method, Envoy's sub-paths: authn/verify-target.ts);
 * express serves everything else, and /authenticate's other spellings (case, trailing slash).
 */
export function createWebhookApp(deps: WebhookDeps): WebhookHandler {
  const authenticate = authenticateHandler(deps);
  const verify = verifyHandler(deps);
  const app = expressApp(deps, authenticate);
  return (req, res) => {
    const url = req.url ?? "";
    const mark = url.indexOf("?");
    const path = mark < 0 ? url : url.slice(0, mark);
    if (path === "/authenticate" && req.method === "POST") {
      authenticate(req, res);
      return;
    }
    const target = verifyTarget(path, mark < 0 ? "" : url.slice(mark + 1));
    if (target.kind === "other") app(req, res);
    else verify(req, res, target);
  };
}

function expressApp(deps: WebhookDeps, authenticate: WebhookHandler): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);

  app
    .route("/authenticate")
    .post((req, res) => authenticate(req, res))
    .all(methodNotAllowed("POST"));
  app
    .route("/authorize")
    .post(
      requireApiserverClient(deps, "authorize"),
      requireSynced(deps),
      requireJson(deps),
      jsonBody(AUTHENTICATE_BODY_LIMIT),
      authorizeHandler(deps),
    )
    .all(methodNotAllowed("POST"));
  app
    .route("/validate")
    .post(
      // Before the body is read: no SubjectAccessReview for anyone but kube-apiserver.
      requireApiserverClient(deps, "validate"),
      requireSynced(deps),
      requireJson(deps),
      jsonBody(VALIDATE_BODY_LIMIT),
      validateHandler(deps),
    )
    .all(methodNotAllowed("POST"));
  app
    .route("/mutate")
    .post(
      requireApiserverClient(deps, "mutate"),
      requireSynced(deps),
      requireJson(deps),
      jsonBody(VALIDATE_BODY_LIMIT),
      mutateHandler(deps),
    )
    .all(methodNotAllowed("POST"));
  app.use((_req: Request, res: Response) => sendStatus(res, 404, "no such endpoint"));
  app.use(errorHandler(deps));
  return app;
}

/** Until the caches have synced, a 503 (admit.ts). */
function requireSynced(deps: WebhookDeps): RequestHandler {
  return (req, res, next) => {
    if (admitSynced(deps, routeName(req), res)) next();
  };
}

/** Only `application/json` bodies (admit.ts). */
function requireJson(deps: WebhookDeps): RequestHandler {
  return (req, res, next) => {
    if (admitJson(deps, routeName(req), req, res)) next();
  };
}

function jsonBody(limit: number): RequestHandler {
  // No compressed bodies: the limit then bounds the bytes we hold, not an inflated bomb.
  return express.json({ limit, strict: true, inflate: false, type: () => true });
}

function methodNotAllowed(allow: string): RequestHandler {
  return (_req, res) => {
    res.set("Allow", allow);
    sendStatus(res, 405, `method not allowed; use ${allow}`);
  };
}

const ROUTES = new Set(["authenticate", "authorize", "mutate", "validate", "verify"]);

/** The route as a metrics label: known names only, so hostile paths add no label values. */
function routeName(req: Request): string {
  if (verifyTarget(req.path, "").kind !== "other") return "verify";
  const name = req.path.replace(/^\//, "");
  return ROUTES.has(name) ? name : "other";
}

function errorHandler(
  deps: WebhookDeps,
): (error: unknown, req: Request, res: Response, next: NextFunction) => void {
  return (error, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const type = (error as { type?: unknown } | null)?.type;
    const known = typeof type === "string" ? BODY_ERRORS[type] : undefined;
    const status = (error as { status?: unknown } | null)?.status;
    if (known || (typeof status === "number" && status >= 400 && status < 500)) {
      const [code, message] = known ?? [status as number, "bad request"];
      deps.metrics.rejectedRequests.inc({ route: routeName(req), code });
      // The type only: a JSON parse error's message quotes the body, which may hold a token.
      deps.log.debug({ route: routeName(req), code, type }, "request refused");
      sendStatus(res, code, message);
      return;
    }
    deps.log.error(
      { route: routeName(req), err: errorMessage(error) },
      "request failed internally",
    );
    sendStatus(res, 500, "internal error");
  };
}
