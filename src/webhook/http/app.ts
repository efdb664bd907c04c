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
import { verifyTarget } from "../authn/verify-target.ts";
import { requireApiserverClient } from "./apiserver-client.ts";
import { authenticateHandler } from "./routes/authenticate.ts";
import { authorizeHandler } from "./routes/authorize.ts";
import type { WebhookDeps } from "./deps.ts";
import { sendStatus } from "./http-errors.ts";
import { validateHandler } from "./routes/validate.ts";
import { verifyRoute } from "./routes/verify.ts";

export type { WebhookDeps } from "./deps.ts";

/** A TokenReview is a few hundred bytes; anything near this is not one. */
export const AUTHENTICATE_BODY_LIMIT = 64 * 1024;
/** An AdmissionReview carries the object twice (old and new), managed fields included. */
export const VALIDATE_BODY_LIMIT = 512 * 1024;

/** Builds the app; `deps` supplies everything it reads, so tests run it on in-memory facts. */
export function createWebhookApp(deps: WebhookDeps): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);

  app
    .route("/authenticate")
    .post(
      // Who is asking comes first: a stranger learns nothing, not even "not synced yet".
      requireApiserverClient(deps, "authenticate"),
      requireSynced(deps),
      requireJson(deps),
      jsonBody(AUTHENTICATE_BODY_LIMIT),
      authenticateHandler(deps),
    )
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
  // Any method and sub-path (Envoy appends the client's path, Traefik keeps the method).
  app.use(verifyRoute(deps, requireSynced(deps)));

  app.use((_req: Request, res: Response) => sendStatus(res, 404, "no such endpoint"));
  app.use(errorHandler(deps));
  return app;
}

/**
 * Until the caches have synced, a decision would be made on partial facts: answer 503 so the
 * caller treats it as an error to retry (kube-apiserver caches a "no", not an error).
 */
function requireSynced(deps: WebhookDeps): RequestHandler {
  return (req, res, next) => {
    if (deps.hasSynced()) {
      next();
      return;
    }
    deps.metrics.rejectedRequests.inc({ route: routeName(req), code: 503 });
    res.set("Retry-After", "1");
    sendStatus(res, 503, "caches are not synced yet; retry shortly");
  };
}

/** Only `application/json` (any charset parameter) is read; anything else is a 415. */
function requireJson(deps: WebhookDeps): RequestHandler {
  return (req, res, next) => {
    const mediaType = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
    if (mediaType === "application/json") {
      next();
      return;
    }
    deps.metrics.rejectedRequests.inc({ route: routeName(req), code: 415 });
    sendStatus(res, 415, "Content-Type must be application/json");
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

const ROUTES = new Set(["authenticate", "authorize", "validate", "verify"]);

/** The route as a metrics label: known names only, so hostile paths add no label values. */
function routeName(req: Request): string {
  if (verifyTarget(req.path, "").kind !== "other") return "verify";
  const name = req.path.replace(/^\//, "");
  return ROUTES.has(name) ? name : "other";
}

/** body-parser's error types, answered without echoing the body (a parse error quotes it). */
const BODY_ERRORS: Record<string, [number, string]> = {
  "entity.too.large": [413, "request body too large"],
  "entity.parse.failed": [400, "request body is not valid JSON (an object is expected)"],
  "encoding.unsupported": [415, "Content-Encoding is not supported; send an uncompressed body"],
  "charset.unsupported": [415, "charset is not supported; send UTF-8"],
  "request.aborted": [400, "request aborted"],
  "request.size.invalid": [400, "request body size does not match Content-Length"],
};

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
