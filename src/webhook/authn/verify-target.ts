// Which requests are /verify, and what the gateway asks of the token there (audiences, groups).
// Pure: the path and the raw query string in, a target or a 400 reason out.
//
// Three shapes, one per gateway family:
// - `/verify?audience=…&group=…` (nginx auth_request, ingress-nginx, Traefik ForwardAuth): the
//   path and query are the gateway's configuration, the client's request travels in headers.
// - `/verify/<original path>` (Envoy ext_authz HTTP service with a path prefix): the client's
//   path, query included, is appended to the prefix. The query is then the client's, so it is
//   never read: a client must not be able to ask for `?audience=scim` itself.
// - `/verify;group=…;audience=…/<original path>`: parameters for Envoy, in the first path
//   segment, which only the gateway's prefix writes (the client's path starts with `/`).
import { MAX_AUDIENCE_LENGTH, MAX_AUDIENCES } from "./request-bounds.ts";

/** Most groups one request may require; far more than a route needs. */
export const MAX_REQUIRED_GROUPS = 32;
/** Longest group name accepted (as long as a ServiceUser's status.groups entries may be). */
export const MAX_GROUP_LENGTH = 512;

/** What a /verify request asks of the token. */
export interface VerifyParameters {
  /** Audiences asked for; empty: none (a token restricted to audiences does not pass). */
  audiences: string[];
  /** Groups of which the token's identity must hold one; empty: any authenticated token. */
  groups: string[];
}

export type VerifyTarget =
  { kind: "other" } | { kind: "invalid"; reason: string } | ({ kind: "verify" } & VerifyParameters);

const SEGMENT = "verify";
const PARAMETER_NAMES = new Set(["audience", "group"]);
// Printable, no spaces or separators a gateway would mangle; svctokens groups are far tamer.
const GROUP_NAME = /^[\x21-\x2b\x2d-\x7e]+$/;

/**
 * Whether `path` (the request's pathname, as received: not decoded, dot segments not resolved)
 * is /verify, and the parameters it carries. Anything else is `other`: `/verifyx`,
 * `/Verify`, `/authenticate`. Dot segments after the first are part of the client's path,
 * which is not read, so `/verify/../authenticate` is a /verify request and nothing more.
 */
export function verifyTarget(path: string, query: string): VerifyTarget {
  // What nginx and Traefik send most: nothing asked beyond a valid token.
  if (path === "/verify" && query === "") return { kind: "verify", audiences: [], groups: [] };
  const slash = path.indexOf("/", 1);
  const first = slash === -1 ? path.slice(1) : path.slice(1, slash);
  const [name, ...matrix] = first.split(";");
  if (!path.startsWith("/") || name !== SEGMENT) return { kind: "other" };
  const pairs = matrixPairs(matrix);
  if (pairs === undefined) {
    return {
      kind: "invalid",
      reason: "parameters in the /verify segment must be ;audience=<a> or ;group=<g>[,<g>]",
    };
  }
  // Without a sub-path the query is the gateway's configuration; with one it is the client's.
  if (slash === -1) pairs.push(...new URLSearchParams(query));
  return parameters(pairs);
}

/** `;group=a;audience=b` → pairs; undefined when a part is not a known, decodable name=value. */
function matrixPairs(parts: readonly string[]): [string, string][] | undefined {
  const pairs: [string, string][] = [];
  for (const part of parts) {
    const equals = part.indexOf("=");
    const name = part.slice(0, equals);
    if (equals === -1 || !PARAMETER_NAMES.has(name)) return undefined;
    try {
      pairs.push([name, decodeURIComponent(part.slice(equals + 1))]);
    } catch {
      return undefined;
    }
  }
  return pairs;
}

function parameters(pairs: readonly [string, string][]): VerifyTarget {
  const audiences = pairs.filter(([name]) => name === "audience").map(([, value]) => value);
  // `group=a,b` and `group=a&group=b` mean the same: one of a or b.
  const groups = pairs
    .filter(([name]) => name === "group")
    .flatMap(([, value]) => value.split(","));
  const audiencesValid =
    audiences.length <= MAX_AUDIENCES &&
    audiences.every((value) => value !== "" && value.length <= MAX_AUDIENCE_LENGTH);
  if (!audiencesValid) {
    return {
      kind: "invalid",
      reason: `audience must be up to ${MAX_AUDIENCES} non-empty strings`,
    };
  }
  const groupsValid =
    groups.length <= MAX_REQUIRED_GROUPS &&
    groups.every((value) => value.length <= MAX_GROUP_LENGTH && GROUP_NAME.test(value));
  if (!groupsValid) {
    return {
      kind: "invalid",
      reason:
        `group must be up to ${MAX_REQUIRED_GROUPS} non-empty group names (repeat group= or ` +
        "separate them with commas), without spaces or control characters, e.g. " +
        "?group=svctokens:team:identity",
    };
  }
  return { kind: "verify", audiences, groups };
}
