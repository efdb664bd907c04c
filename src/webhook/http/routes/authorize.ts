// POST /authorize: the webhook authorizer for requests made with Service Tokens. Parse, decide
// from the caches, and only after a promotion ask RBAC about the current identity.
import { performance } from "node:perf_hooks";
import type { Request, Response } from "express";
import { errorMessage } from "../../../k8s/errors.ts";
import { decideAuthorization, type AuthorizationDecision } from "../../authz/decide.ts";
import {
  parseSubjectAccessReview,
  subjectAccessReviewResponse,
  type AuthorizationVerdict,
  type SubjectAccessReviewRequest,
} from "../../authz/subject-access-review.ts";
import type { WebhookDeps } from "../deps.ts";
import { sendStatus } from "../http-errors.ts";

const NO_OPINION: AuthorizationVerdict = { allowed: false, denied: false };

export function authorizeHandler(
  deps: WebhookDeps,
): (req: Request, res: Response) => Promise<void> {
  return async (req, res) => {
    res.set("Cache-Control", "no-store");
    const parsed = parseSubjectAccessReview(req.body);
    if (!parsed.ok) {
      deps.metrics.rejectedRequests.inc({ route: "authorize", code: 400 });
      sendStatus(res, 400, parsed.reason);
      return;
    }
    const review = parsed.value;
    const started = performance.now();
    const verdict = await authorize(deps, review);
    deps.metrics.authorizationSeconds.observe((performance.now() - started) / 1000);
    res.json(subjectAccessReviewResponse(review.apiVersion, verdict));
  };
}

/** Decides and observes; an internal error denies (fail closed, as failurePolicy Deny would). */
async function authorize(
  deps: WebhookDeps,
  review: SubjectAccessReviewRequest,
): Promise<AuthorizationVerdict> {
  let decision: AuthorizationDecision;
  try {
    decision = decideAuthorization(review, deps.facts, deps.now());
  } catch (error) {
    deps.log.error({ err: errorMessage(error) }, "authorization failed internally");
    deps.metrics.authorizations.inc({ decision: "error", reason: "internal" });
    return { allowed: false, denied: true, reason: "svctokens: internal error" };
  }
  switch (decision.kind) {
    case "no-opinion":
      deps.metrics.authorizations.inc({ decision: "no-opinion", reason: decision.why });
      return NO_OPINION;
    case "deny":
      deps.metrics.authorizations.inc({ decision: "deny", reason: decision.denial });
      deps.log.info(
        { ...decision.subject, reason: decision.denial, user: review.user },
        "request denied",
      );
      return { allowed: false, denied: true, reason: `svctokens: ${decision.message}` };
    case "ask-rbac":
      return askRbac(deps, decision);
  }
}

/**
 * A promoted user's request, still carrying its old groups: decided as RBAC decides for the
 * current groups. When RBAC cannot be asked, the old (narrower) groups decide: no opinion.
 */
async function askRbac(
  deps: WebhookDeps,
  decision: Extract<AuthorizationDecision, { kind: "ask-rbac" }>,
): Promise<AuthorizationVerdict> {
  const { subject, current } = decision;
  if (deps.reviewAccess === undefined) {
    deps.metrics.authorizations.inc({ decision: "no-opinion", reason: "promoted-unchecked" });
    return NO_OPINION;
  }
  let allowed: boolean;
  try {
    allowed = await deps.reviewAccess(decision.review);
  } catch (error) {
    deps.log.warn({ ...subject, err: errorMessage(error) }, "RBAC review for a promotion failed");
    deps.metrics.authorizations.inc({ decision: "no-opinion", reason: "promoted-unchecked" });
    return NO_OPINION;
  }
  deps.metrics.authorizations.inc({ decision: allowed ? "allow" : "deny", reason: "promoted" });
  deps.log.info({ ...subject, allowed }, "promoted user's request decided with current groups");
  const role = `ServiceUser ${subject.serviceUser ?? ""} (${current})`;
  return allowed
    ? { allowed: true, reason: `svctokens: RBAC allows the current role and teams of ${role}` }
    : {
        allowed: false,
        denied: true,
        reason: `svctokens: RBAC does not allow this to the current role and teams of ${role}`,
      };
}
