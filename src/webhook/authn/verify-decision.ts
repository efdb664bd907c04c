// The forward-auth answer of /verify for one request: pure, given how to authenticate a token.
// Gateways read only the status (2xx passes, 401/403 are sent to the client) and copy the
// identity headers of a 200 upstream.
import type { AuthenticationDecision } from "./decide.ts";
import { identityOfUser } from "./identity-memo.ts";
import type { VerifyParameters } from "./verify-target.ts";

/** Identity headers on a 200, as oauth2-proxy names them (gateways copy them upstream). */
export const VERIFY_HEADERS = {
  user: "X-Auth-Request-User",
  groups: "X-Auth-Request-Groups",
  tokenId: "X-Auth-Request-Token-Id",
} as const;

/** What the route knows about a /verify request whose parameters parsed. */
export interface VerifyRequestFacts extends VerifyParameters {
  /** The Authorization header, as received. */
  authorization: string | undefined;
}

/** Authenticates a token for audiences; undefined: an internal error (fail closed). */
export type Authenticate = (
  token: string,
  audiences: readonly string[],
) => AuthenticationDecision | undefined;

export interface VerifyAnswer {
  status: 200 | 401 | 403;
  headers: Record<string, string>;
  body: string;
}

const BEARER = /^Bearer +(\S+) *$/i;

/** The Bearer credential of an Authorization header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  return header === undefined ? undefined : BEARER.exec(header)?.[1];
}

function unauthorized(error?: "invalid_request" | "invalid_token"): VerifyAnswer {
  const challenge = error
    ? `Bearer realm="svctokens", error="${error}"`
    : 'Bearer realm="svctokens"';
  return {
    status: 401,
    headers: { "WWW-Authenticate": challenge, "Cache-Control": "no-store" },
    body: "Unauthorized",
  };
}

/**
 * 401 for no, a malformed or a refused token (RFC 6750 challenge); 403 for a valid token whose
 * identity holds none of the required groups; 200 with the identity headers otherwise.
 */
export function decideVerify(
  request: VerifyRequestFacts,
  authenticate: Authenticate,
): VerifyAnswer {
  if (request.authorization === undefined) return unauthorized();
  const token = bearerToken(request.authorization);
  if (token === undefined) return unauthorized("invalid_request");
  const decision = authenticate(token, request.audiences);
  if (!decision?.authenticated) return unauthorized("invalid_token");
  const { groups } = decision.user;
  if (request.groups.length > 0 && !request.groups.some((group) => groups.includes(group))) {
    return {
      status: 403,
      headers: { "Cache-Control": "no-store" },
      body: "Forbidden: the token is valid, but its Service User is in none of the groups this route requires",
    };
  }
  return {
    status: 200,
    headers: {
      "Cache-Control": "no-store",
      [VERIFY_HEADERS.user]: decision.user.username,
      [VERIFY_HEADERS.groups]: identityOfUser(decision.user)?.groupsHeader ?? groups.join(","),
      [VERIFY_HEADERS.tokenId]: decision.tokenId,
    },
    body: "OK",
  };
}
