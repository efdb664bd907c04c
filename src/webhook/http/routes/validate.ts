// POST /validate: the validating admission webhook for ServiceUsers, ServiceTokens and the
// operator's Secrets. Parse, ask RBAC only when the answer matters, decide, echo the uid.
import { performance } from "node:perf_hooks";
import type { Request, Response } from "express";
import type { ServiceUser } from "../../../api/index.ts";
import { errorMessage } from "../../../k8s/errors.ts";
import { admissionTarget, decideAdmission, needsAdminCheck } from "../../admission/decide.ts";
import { requesterName } from "../../admission/common.ts";
import {
  admissionResponse,
  parseAdmissionReview,
  type AdmissionRequest,
  type AdmissionVerdict,
} from "../../admission/review.ts";
import type { ClusterFacts } from "../../cache/facts.ts";
import type { WebhookDeps } from "../deps.ts";
import { sendStatus } from "../http-errors.ts";

export function validateHandler(deps: WebhookDeps): (req: Request, res: Response) => Promise<void> {
  return async (req, res) => {
    const parsed = parseAdmissionReview(req.body);
    if (!parsed.ok) {
      deps.metrics.rejectedRequests.inc({ route: "validate", code: 400 });
      sendStatus(res, 400, parsed.reason);
      return;
    }
    const request = parsed.value;
    const started = performance.now();
    const resource = admissionTarget(request);
    const verdict = await decide(deps, request);
    deps.metrics.admissionSeconds.observe({ resource }, (performance.now() - started) / 1000);
    deps.metrics.admissionDecisions.inc({
      resource,
      operation: request.operation,
      allowed: String(verdict.allowed),
    });
    const context = {
      uid: request.uid,
      resource,
      operation: request.operation,
      namespace: request.namespace,
      name: request.name,
      user: request.userInfo.username,
    };
    if (verdict.allowed) deps.log.debug(context, "admission allowed");
    else deps.log.info({ ...context, message: verdict.message }, "admission denied");
    res.json(admissionResponse(request.uid, verdict));
  };
}

async function decide(deps: WebhookDeps, request: AdmissionRequest): Promise<AdmissionVerdict> {
  try {
    let isAdmin = false;
    if (needsAdminCheck(request)) {
      try {
        isAdmin = await deps.isAdmin(request.userInfo);
      } catch (error) {
        deps.log.error({ uid: request.uid, err: errorMessage(error) }, "Admin check failed");
        return {
          allowed: false,
          message:
            `Could not check whether ${requesterName(request)} is an svctokens Admin (the ` +
            `Kubernetes API did not answer the access review): try again in a moment`,
        };
      }
    }
    const cluster = await withFetchedServiceUser(deps, request);
    return decideAdmission(request, {
      cluster,
      isAdmin,
      now: deps.now(),
      maxTokenLifetimeDays: deps.maxTokenLifetimeDays,
      controllerUsername: deps.controllerUsername,
    });
  } catch (error) {
    // Fail closed, without internals: the details are in the log.
    deps.log.error({ uid: request.uid, err: errorMessage(error) }, "admission failed internally");
    return {
      allowed: false,
      message: "The svctokens admission webhook hit an internal error: try again in a moment",
    };
  }
}

/**
 * The cached facts, plus the token's ServiceUser read from the API when the cache has not
 * seen it yet (created a moment before its first token). Only on that miss is there I/O.
 */
async function withFetchedServiceUser(
  deps: WebhookDeps,
  request: AdmissionRequest,
): Promise<ClusterFacts> {
  const facts = deps.facts;
  if (deps.fetchServiceUser === undefined || admissionTarget(request) !== "servicetokens") {
    return facts;
  }
  if (request.operation !== "CREATE") return facts;
  const name = (request.object as { spec?: { serviceUser?: unknown } }).spec?.serviceUser;
  if (typeof name !== "string" || facts.serviceUser(name) !== undefined) return facts;
  const fetched: ServiceUser | undefined = await deps.fetchServiceUser(name);
  if (fetched === undefined) return facts;
  return {
    recordsByHash: (hash) => facts.recordsByHash(hash),
    recordsByTokenId: (tokenId) => facts.recordsByTokenId(tokenId),
    serviceToken: (namespace, tokenName) => facts.serviceToken(namespace, tokenName),
    serviceUser: (userName) => (userName === name ? fetched : facts.serviceUser(userName)),
    tokensOfUser: (userName) => facts.tokensOfUser(userName),
    tokensWithSpecHash: (hash) => facts.tokensWithSpecHash(hash),
  };
}
