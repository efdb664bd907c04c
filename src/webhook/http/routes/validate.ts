// POST /validate: the validating admission webhook for ServiceUsers, ServiceTokens and the
// operator's Secrets. Parse, ask RBAC only when the answer matters, decide, echo the uid.
import { performance } from "node:perf_hooks";
import type { Request, Response } from "express";
import type { ServiceUser } from "../../../api/index.ts";
import { errorMessage } from "../../../k8s/errors.ts";
import { AdminCheckThrottled } from "../../admission/admin-check.ts";
import { admissionTarget, decideAdmission, needsAdminCheck } from "../../admission/decide.ts";
import { requesterName } from "../../admission/common.ts";
import { serviceUserToConfirm } from "../../admission/token-cleanup-delete.ts";
import { namespacesToRead } from "../../admission/team-namespace.ts";
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
    if (needsAdminCheck(request, deps.controllerUsername)) {
      try {
        isAdmin = await deps.isAdmin(request.userInfo);
      } catch (error) {
        if (error instanceof AdminCheckThrottled) {
          deps.log.warn({ uid: request.uid }, "Admin check refused: review rate limit reached");
          return {
            allowed: false,
            message:
              `Could not check whether ${requesterName(request)} is an svctokens Admin: the ` +
              `webhook is answering too many access reviews right now (rate limit): try again ` +
              `in a few seconds`,
          };
        }
        deps.log.error({ uid: request.uid, err: errorMessage(error) }, "Admin check failed");
        return {
          allowed: false,
          message:
            `Could not check whether ${requesterName(request)} is an svctokens Admin (the ` +
            `Kubernetes API did not answer the access review): try again in a moment`,
        };
      }
    }
    const now = deps.now();
    const cluster = await withFetchedServiceUser(deps, request, now);
    const namespaceLabels = await namespaceLabelsFor(deps, request, cluster);
    return decideAdmission(request, {
      cluster,
      namespaceLabels,
      isAdmin,
      now,
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

/** The labels of the namespaces a team-namespace rule needs (a GET each; usually none or one). */
async function namespaceLabelsFor(
  deps: WebhookDeps,
  request: AdmissionRequest,
  cluster: ClusterFacts,
): Promise<(namespace: string) => Readonly<Record<string, string>> | undefined> {
  const names = namespacesToRead(request, cluster);
  const labels = await Promise.all(
    names.map(async (name) => [name, (await deps.fetchNamespaceLabels(name)) ?? {}] as const),
  );
  const byName = new Map(labels);
  return (namespace) => byName.get(namespace);
}

/**
 * The cached facts, plus the token's ServiceUser read from the API when the cache has not
 * seen it yet (created a moment before its first token), or when a garbage-collector delete of
 * an Active token hinges on it (the cache may lag the user's deletion). Only then is there I/O.
 */
async function withFetchedServiceUser(
  deps: WebhookDeps,
  request: AdmissionRequest,
  now: Date,
): Promise<ClusterFacts> {
  const facts = deps.facts;
  if (deps.fetchServiceUser === undefined || admissionTarget(request) !== "servicetokens") {
    return facts;
  }
  const name = serviceUserToConfirm(request, facts, now) ?? userOfNewToken(request, facts);
  if (name === undefined) return facts;
  const fetched: ServiceUser | undefined = await deps.fetchServiceUser(name);
  return {
    recordsByHash: (hash) => facts.recordsByHash(hash),
    recordsByTokenId: (tokenId) => facts.recordsByTokenId(tokenId),
    serviceToken: (namespace, tokenName) => facts.serviceToken(namespace, tokenName),
    serviceUser: (userName) => (userName === name ? fetched : facts.serviceUser(userName)),
    tokensOfUser: (userName) => facts.tokensOfUser(userName),
    tokensWithSpecHash: (hash) => facts.tokensWithSpecHash(hash),
  };
}

/** The ServiceUser a new token names, when the cache does not have it. */
function userOfNewToken(request: AdmissionRequest, facts: ClusterFacts): string | undefined {
  if (request.operation !== "CREATE") return undefined;
  const name = (request.object as { spec?: { serviceUser?: unknown } }).spec?.serviceUser;
  return typeof name === "string" && facts.serviceUser(name) === undefined ? name : undefined;
}
