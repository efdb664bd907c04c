// The TokenReview (authentication.k8s.io/v1) wire format: what kube-apiserver's webhook token
// authenticator sends, and the answer it expects. The token is never echoed back.
import { z } from "zod";
import type { AuthenticationDecision } from "./decide.ts";
import { MAX_AUDIENCE_LENGTH, MAX_AUDIENCES, MAX_TOKEN_LENGTH } from "./request-bounds.ts";
import { describeZodError, type ParseResult } from "../wire.ts";

export const TOKEN_REVIEW_API_VERSION = "authentication.k8s.io/v1";
export const TOKEN_REVIEW_KIND = "TokenReview";


const TokenReviewSchema = z.looseObject({
  apiVersion: z.literal(TOKEN_REVIEW_API_VERSION),
  kind: z.literal(TOKEN_REVIEW_KIND),
  spec: z.looseObject({
    token: z.string().min(1).max(MAX_TOKEN_LENGTH),
    // Go omits an empty list, and some clients send null.
    audiences: z.array(z.string().min(1).max(MAX_AUDIENCE_LENGTH)).max(MAX_AUDIENCES).nullish(),
  }),
});

/** A parsed TokenReview request. */
export interface TokenReviewRequest {
  token: string;
  /** Requested audiences; empty when none were asked for. */
  audiences: string[];
}

/** Parses a request body; a failure carries a short reason (field paths, never values). */
export function parseTokenReview(body: unknown): ParseResult<TokenReviewRequest> {
  const result = TokenReviewSchema.safeParse(body);
  if (!result.success) return { ok: false, reason: describeZodError("TokenReview", result.error) };
  const { token, audiences } = result.data.spec;
  return { ok: true, value: { token, audiences: audiences ?? [] } };
}

/** The TokenReview answer kube-apiserver expects for a decision. */
export interface TokenReviewResponse {
  apiVersion: typeof TOKEN_REVIEW_API_VERSION;
  kind: typeof TOKEN_REVIEW_KIND;
  status: {
    authenticated: boolean;
    user?: { username: string; uid?: string; groups: string[]; extra: Record<string, string[]> };
    audiences?: string[];
    error?: string;
  };
}

/** Answers a decision. Reasons for refusal stay in the logs: the caller learns only "no". */
export function tokenReviewResponse(decision: AuthenticationDecision): TokenReviewResponse {
  if (!decision.authenticated) return tokenReviewRefusal();
  const { username, uid, groups, extra } = decision.user;
  return {
    apiVersion: TOKEN_REVIEW_API_VERSION,
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
export function tokenReviewRefusal(error?: string): TokenReviewResponse {
  return {
    apiVersion: TOKEN_REVIEW_API_VERSION,
    kind: TOKEN_REVIEW_KIND,
    status: { authenticated: false, ...(error === undefined ? {} : { error }) },
  };
}
