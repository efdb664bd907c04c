// GET /verify: forward-auth for ingress controllers and API gateways (nginx auth_request,
// Traefik forwardAuth, Envoy ext_authz over HTTP): a Bearer token in, identity headers out.
import type { Request, Response } from "express";
import { MAX_AUDIENCE_LENGTH, MAX_AUDIENCES } from "../../authn/request-bounds.ts";
import type { WebhookDeps } from "../deps.ts";
import { sendStatus } from "../http-errors.ts";
import { runAuthentication } from "./run-authentication.ts";

/** Identity headers on a 200, as oauth2-proxy names them (gateways copy them upstream). */
export const VERIFY_HEADERS = {
  user: "X-Auth-Request-User",
  groups: "X-Auth-Request-Groups",
  tokenId: "X-Auth-Request-Token-Id",
} as const;

const BEARER = /^Bearer +(\S+) *$/i;

/** The Bearer credential of an Authorization header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  return header === undefined ? undefined : BEARER.exec(header)?.[1];
}

/** `?audience=a&audience=b` → ["a", "b"]; undefined when malformed. */
export function requestedAudiences(query: unknown): string[] | undefined {
  if (query === undefined) return [];
  const values = Array.isArray(query) ? (query as unknown[]) : [query];
  if (values.length > MAX_AUDIENCES) return undefined;
  const valid = values.every(
    (value) => typeof value === "string" && value !== "" && value.length <= MAX_AUDIENCE_LENGTH,
  );
  return valid ? (values as string[]) : undefined;
}

function unauthorized(res: Response, error?: "invalid_request" | "invalid_token"): void {
  res
    .status(401)
    .set(
      "WWW-Authenticate",
      error ? `Bearer realm="svctokens", error="${error}"` : 'Bearer realm="svctokens"',
    )
    .set("Cache-Control", "no-store")
    .type("text/plain")
    .send("Unauthorized");
}

export function verifyHandler(deps: WebhookDeps): (req: Request, res: Response) => void {
  return (req, res) => {
    const audiences = requestedAudiences((req.query as Record<string, unknown>).audience);
    if (audiences === undefined) {
      deps.metrics.rejectedRequests.inc({ route: "verify", code: 400 });
      sendStatus(res, 400, `audience must be up to ${MAX_AUDIENCES} non-empty strings`);
      return;
    }
    const header = req.headers.authorization;
    if (header === undefined) {
      unauthorized(res);
      return;
    }
    const token = bearerToken(header);
    if (token === undefined) {
      unauthorized(res, "invalid_request");
      return;
    }
    const decision = runAuthentication(deps, "verify", token, audiences);
    if (!decision?.authenticated) {
      unauthorized(res, "invalid_token");
      return;
    }
    res
      .status(200)
      .set("Cache-Control", "no-store")
      .set(VERIFY_HEADERS.user, decision.user.username)
      .set(VERIFY_HEADERS.groups, decision.user.groups.join(","))
      .set(VERIFY_HEADERS.tokenId, decision.tokenId)
      .type("text/plain")
      .send("OK");
  };
}
