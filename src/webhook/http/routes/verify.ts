// GET /verify: forward-auth for ingress controllers and API gateways (nginx auth_request,
// Traefik forwardAuth, Envoy ext_authz over HTTP): a Bearer token in, identity headers out.
// Plumbing (verifyHandler: node's request in, headers out) and the answer (answerVerify: what
// the request's facts get) are apart, so the decision can change without touching the wire.
import type { IncomingMessage, ServerResponse } from "node:http";
import { parse as parseQuery, type ParsedUrlQuery } from "node:querystring";
import type { AuthenticatedUser } from "../../authn/decide.ts";
import { MAX_AUDIENCE_LENGTH, MAX_AUDIENCES } from "../../authn/request-bounds.ts";
import { admitSynced } from "../admit.ts";
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

/** The facts of a /verify request its answer depends on. */
export interface VerifyRequest {
  method: string;
  path: string;
  /** The query string, parsed as express's "simple" parser does (node:querystring). */
  query: ParsedUrlQuery;
  authorization: string | undefined;
}

/** What /verify answers. */
export type VerifyAnswer =
  | { kind: "bad-request"; message: string }
  | { kind: "unauthorized"; error?: "invalid_request" | "invalid_token" }
  | { kind: "ok"; user: AuthenticatedUser; tokenId: string };

/** Authenticates the request's Bearer token (counting and logging it) and says what to answer. */
export function answerVerify(deps: WebhookDeps, request: VerifyRequest): VerifyAnswer {
  const audiences = requestedAudiences(request.query.audience);
  if (audiences === undefined) {
    return {
      kind: "bad-request",
      message: `audience must be up to ${MAX_AUDIENCES} non-empty strings`,
    };
  }
  if (request.authorization === undefined) return { kind: "unauthorized" };
  const token = bearerToken(request.authorization);
  if (token === undefined) return { kind: "unauthorized", error: "invalid_request" };
  const decision = runAuthentication(deps, "verify", token, audiences);
  if (!decision?.authenticated) return { kind: "unauthorized", error: "invalid_token" };
  return { kind: "ok", user: decision.user, tokenId: decision.tokenId };
}

function sendText(res: ServerResponse, code: number, text: string): void {
  res.statusCode = code;
  res.setHeader("Cache-Control", "no-store");
  res.setHeader("Content-Type", "text/plain; charset=utf-8");
  res.setHeader("Content-Length", Buffer.byteLength(text));
  res.end(text);
}

/** Writes an answer. */
export function writeVerifyAnswer(
  deps: WebhookDeps,
  res: ServerResponse,
  answer: VerifyAnswer,
): void {
  switch (answer.kind) {
    case "bad-request":
      deps.metrics.rejectedRequests.inc({ route: "verify", code: 400 });
      sendStatus(res, 400, answer.message);
      return;
    case "unauthorized":
      res.setHeader(
        "WWW-Authenticate",
        answer.error
          ? `Bearer realm="svctokens", error="${answer.error}"`
          : 'Bearer realm="svctokens"',
      );
      sendText(res, 401, "Unauthorized");
      return;
    case "ok":
      res.setHeader(VERIFY_HEADERS.user, answer.user.username);
      res.setHeader(VERIFY_HEADERS.groups, answer.user.groups.join(","));
      res.setHeader(VERIFY_HEADERS.tokenId, answer.tokenId);
      sendText(res, 200, "OK");
  }
}

/** The handler: synced caches, then the answer for the request's facts. */
export function verifyHandler(
  deps: WebhookDeps,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (!admitSynced(deps, "verify", res)) return;
    const url = req.url ?? "/";
    const mark = url.indexOf("?");
    const request: VerifyRequest = {
      method: req.method ?? "GET",
      path: mark < 0 ? url : url.slice(0, mark),
      query: mark < 0 ? {} : parseQuery(url.slice(mark + 1)),
      authorization: req.headers.authorization,
    };
    writeVerifyAnswer(deps, res, answerVerify(deps, request));
  };
}
