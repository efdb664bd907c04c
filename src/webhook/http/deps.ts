// What the HTTP handlers need: the cached facts, the Admin check, the last-used tracker,
// metrics and a logger. Everything is injectable, so tests run the app on in-memory facts.
import type { Logger } from "pino";
import type { ServiceUser } from "../../api/index.ts";
import type { AdmissionUserInfo } from "../admission/review.ts";
import type { SuccessAttribution } from "../authn/success-log.ts";
import type { KeptVerdict } from "../authn/verdict-cache.ts";
import type { ClusterFacts } from "../cache/facts.ts";
import type { AuthenticationEndpoint, WebhookMetrics } from "../metrics.ts";

export interface WebhookDeps {
  facts: ClusterFacts;
  /** True once every cache has completed its first list; until then decisions get a 503. */
  hasSynced(): boolean;
  /** Notes a successful authentication of a token (`namespace/name`); must not block. */
  recordUse(tokenKey: string, at: Date): void;
  /**
   * Logs a successful authentication, aggregated per token and interval (SuccessLog). Without
   * it every success is logged on its own line.
   */
  noteSuccess?: (attribution: SuccessAttribution) => void;
  /**
   * Counts a success served from the verdict cache on its kept entry, where the success log
   * and the last-used tracker take it at their flush (SuccessLog.countKept); false, or absent:
   * the success is noted and its use recorded one by one.
   */
  countKeptUse?: (kept: KeptVerdict, endpoint: AuthenticationEndpoint, nowMs: number) => boolean;
  /** RBAC's answer to "may this requester act as an svctokens Admin?"; rejects on API errors. */
  isAdmin(user: AdmissionUserInfo): Promise<boolean>;
  /**
   * Reads a ServiceUser from the API when the cache does not have it (yet): a user created a
   * moment before its first token may not have reached the cache. Optional.
   */
  fetchServiceUser?: (name: string) => Promise<ServiceUser | undefined>;
  /**
   * The labels of a namespace (its team labels), read from the API for ServiceToken creates
   * that get a delivery Secret; undefined when the namespace does not exist. Rejects on errors.
   */
  fetchNamespaceLabels(name: string): Promise<Readonly<Record<string, string>> | undefined>;
  /**
   * RBAC's answer to a SubjectAccessReview (for /authorize after a promotion); rejects on API
   * errors. Optional: without it such requests get no opinion.
   */
  reviewAccess?: (review: Record<string, unknown>) => Promise<boolean>;
  controllerUsername: string;
  maxTokenLifetimeDays: number | undefined;
  /**
   * When true, /authenticate and /validate serve only clients whose certificate chains to the
   * client CA and carries one of `allowedClientNames` (kube-apiserver).
   */
  requireClientCertificate: boolean;
  /** Pinned client names (certificate CN or DNS SAN); used when certificates are required. */
  allowedClientNames: readonly string[];
  metrics: WebhookMetrics;
  log: Logger;
  now: () => Date;
}
