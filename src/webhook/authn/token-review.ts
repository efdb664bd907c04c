// The TokenReview wire format: what kube-apiserver's webhook token authenticator sends, and the
// answer it expects. v1 and v1beta1 carry the same fields; v1beta1 is kube-apiserver's default
// `--authentication-token-webhook-version` and what Pinniped sends, so both are answered, each
// in the version it was asked. The token is never echoed back.
import { z } from "zod";
import type { AuthenticatedUser, AuthenticationDecision, AuthenticationSuccess } from "./decide.ts";
import { identityOfUser } from "./identity-memo.ts";
import { MAX_AUDIENCE_LENGTH, MAX_AUDIENCES, MAX_TOKEN_LENGTH } from "./request-bounds.ts";
import { describeZodError, type ParseResult } from "../wire.ts";

export const TOKEN_REVIEW_API_VERSION = "authentication.k8s.io/v1";
export const TOKEN_REVIEW_V1BETA1_API_VERSION = "authentication.k8s.io/v1beta1";
/** The TokenReview versions answered; an answer always carries the version of its request. */
export const TOKEN_REVIEW_API_VERSIONS = [
  TOKEN_REVIEW_API_VERSION,
  TOKEN_REVIEW_V1BETA1_API_VERSION,
] as const;
export type TokenReviewApiVersion = (typeof TOKEN_REVIEW_API_VERSIONS)[number];
export const TOKEN_REVIEW_KIND = "TokenReview";

const TokenReviewSchema = z.looseObject({
  apiVersion: z.enum(TOKEN_REVIEW_API_VERSIONS),
  kind: z.literal(TOKEN_REVIEW_KIND),
  spec: z.looseObject({
    token: z.string().min(1).max(MAX_TOKEN_LENGTH),
    // Go omits an empty list, and some clients send null.
    audiences: z.array(z.string().min(1).max(MAX_AUDIENCE_LENGTH)).max(MAX_AUDIENCES).nullish(),
  }),
});

/** A parsed TokenReview request. */
export interface TokenReviewRequest {
  /** The version asked; the answer is sent in it. */
  apiVersion: TokenReviewApiVersion;
  token: string;
  /** Requested audiences; empty when none were asked for. */
  audiences: string[];
}

/**
 * Parses a request body; a failure carries a short reason (field paths, never values). What
 * kube-apiserver sends is read by hand (`readWellFormed`); anything else goes through the
 * schema, which accepts exactly the same and words every refusal.
 */
export function parseTokenReview(body: unknown): ParseResult<TokenReviewRequest> {
  return readWellFormed(body) ?? parseTokenReviewBySchema(body);
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const isApiVersion = (value: unknown): value is TokenReviewApiVersion =>
  value === TOKEN_REVIEW_API_VERSION || value === TOKEN_REVIEW_V1BETA1_API_VERSION;
const isBounded = (value: unknown, max: number): value is string =>
  typeof value === "string" && value.length >= 1 && value.length <= max;

/**
 * The hot path's narrow reader: a TokenReview the schema would accept, read without it, or
 * undefined for anything it is not sure of (the schema then decides and explains).
 */
function readWellFormed(body: unknown): ParseResult<TokenReviewRequest> | undefined {
  if (!isRecord(body) || !isApiVersion(body.apiVersion) || body.kind !== TOKEN_REVIEW_KIND) {
    return undefined;
  }
  const { spec } = body;
  if (!isRecord(spec) || !isBounded(spec.token, MAX_TOKEN_LENGTH)) return undefined;
  const asked = spec.audiences;
  if (asked === undefined || asked === null) {
    return { ok: true, value: { apiVersion: body.apiVersion, token: spec.token, audiences: [] } };
  }
  if (!Array.isArray(asked) || asked.length > MAX_AUDIENCES) return undefined;
  const audiences: string[] = [];
  for (const audience of asked as unknown[]) {
    if (!isBounded(audience, MAX_AUDIENCE_LENGTH)) return undefined;
    audiences.push(audience);
  }
  return { ok: true, value: { apiVersion: body.apiVersion, token: spec.token, audiences } };
}

/** The schema's parse alone: what `parseTokenReview` falls back to (tests hold both alike). */
export function parseTokenReviewBySchema(body: unknown): ParseResult<TokenReviewRequest> {
  const result = TokenReviewSchema.safeParse(body);
  if (!result.success) return { ok: false, reason: describeZodError("TokenReview", result.error) };
  const { token, audiences } = result.data.spec;
  return {
    ok: true,
    value: { apiVersion: result.data.apiVersion, token, audiences: audiences ?? [] },
  };
}

/** The TokenReview answer kube-apiserver expects for a decision. */
export interface TokenReviewResponse {
  apiVersion: TokenReviewApiVersion;
  kind: typeof TOKEN_REVIEW_KIND;
  status: {
    authenticated: boolean;
    user?: {
      username: string;
      uid?: string;
      groups: readonly string[];
      extra: Record<string, string[]>;
    };
    audiences?: string[];
    error?: string;
  };
}

/**
 * Answers a decision in `apiVersion` (the request's). Reasons for refusal stay in the logs:
 * the caller learns only "no".
 */
export function tokenReviewResponse(
  decision: AuthenticationDecision,
  apiVersion: TokenReviewApiVersion = TOKEN_REVIEW_API_VERSION,
): TokenReviewResponse {
  if (!decision.authenticated) return tokenReviewRefusal(undefined, apiVersion);
  const { username, uid, groups, extra } = decision.user;
  return {
    apiVersion,
    kind: TOKEN_REVIEW_KIND,
    status: {
      authenticated: true,
      user: { username, ...(uid === "" ? {} : { uid }), groups, extra },
      // Empty means "the API server's audience": only sent when the request asked for some.
      ...(decision.audiences.length > 0 ? { audiences: decision.audiences } : {}),
    },
  };
}

/** `authenticated: false`, optionally saying the token could not be checked (fail closed). */
export function tokenReviewRefusal(
  error?: string,
  apiVersion: TokenReviewApiVersion = TOKEN_REVIEW_API_VERSION,
): TokenReviewResponse {
  return {
    apiVersion,
    kind: TOKEN_REVIEW_KIND,
    status: { authenticated: false, ...(error === undefined ? {} : { error }) },
  };
}

/** The head of every successful answer, per version, up to the user's fields. */
const AUTHENTICATED_HEAD = Object.fromEntries(
  TOKEN_REVIEW_API_VERSIONS.map((version) => [
    version,
    `{"apiVersion":${JSON.stringify(version)},"kind":"${TOKEN_REVIEW_KIND}","status":{"authenticated":true,"user":`,
  ]),
) as Record<TokenReviewApiVersion, string>;
const REFUSED = Object.fromEntries(
  TOKEN_REVIEW_API_VERSIONS.map((version) => [
    version,
    JSON.stringify(tokenReviewRefusal(undefined, version)),
  ]),
) as Record<TokenReviewApiVersion, string>;

/**
 * `JSON.stringify(tokenReviewResponse(decision, apiVersion))`, byte for byte, from fixed
 * fragments and the decision's own values (each JSON-escaped): no answer object per request.
 * The user's part up to its extra is the memoized identity's JSON when the user was made from
 * one (identity-memo.ts), so a success serializes only its token's extra.
 */
export function tokenReviewResponseJson(
  decision: AuthenticationDecision,
  apiVersion: TokenReviewApiVersion = TOKEN_REVIEW_API_VERSION,
): string {
  if (!decision.authenticated) return REFUSED[apiVersion];
  // A frozen decision (decide.ts freezes the successes it keeps, deeply) cannot change: its
  // answer is kept with it.
  const { user } = decision;
  const frozen = Object.isFrozen(decision) && Object.isFrozen(user) && Object.isFrozen(user.extra);
  if (!frozen) return answerJson(decision, apiVersion);
  let answers = keptAnswers.get(decision);
  if (answers === undefined) {
    answers = {};
    keptAnswers.set(decision, answers);
  }
  return (answers[apiVersion] ??= answerJson(decision, apiVersion));
}

/** Answers of frozen decisions, by version; entries go with the decisions. */
const keptAnswers = new WeakMap<object, Partial<Record<TokenReviewApiVersion, string>>>();

function answerJson(decision: AuthenticationSuccess, apiVersion: TokenReviewApiVersion): string {
  const { user } = decision;
  const userHead = identityOfUser(user)?.userJsonHead ?? userJsonHead(user);
  const audiences =
    decision.audiences.length > 0 ? `,"audiences":${JSON.stringify(decision.audiences)}` : "";
  return `${AUTHENTICATED_HEAD[apiVersion]}${userHead}${JSON.stringify(user.extra)}}${audiences}}}`;
}

/** `{"username":…[,"uid":…],"groups":[…],"extra":` of any user. */
function userJsonHead(user: AuthenticatedUser): string {
  const uidField = user.uid === "" ? "" : `,"uid":${JSON.stringify(user.uid)}`;
  return (
    `{"username":${JSON.stringify(user.username)}${uidField}` +
    `,"groups":${JSON.stringify(user.groups)},"extra":`
  );
}
