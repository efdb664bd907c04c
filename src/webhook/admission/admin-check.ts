// "Is this requester an Admin?": RBAC decides, through a SubjectAccessReview for verb `admin` on
// servicetokens.svctokens.dev (cluster-admins pass; the svctokens:admin ClusterRole grants it).
// Answers are cached briefly so a burst of kubectl calls costs one review, and reviews are
// rate-limited (a token bucket) so a flood of made-up requesters cannot flood kube-apiserver.
import { API_GROUP, SERVICE_TOKEN_PLURAL } from "../../api/index.ts";
import { resourcePath } from "../../k8s/paths.ts";
import type { KubeRest } from "../../k8s/rest.ts";
import type { AdmissionUserInfo } from "./review.ts";
import { SUBJECT_ACCESS_REVIEWS } from "../../k8s/paths.ts";
import type { TokenBucket } from "./token-bucket.ts";

/** The review budget is spent: the request is denied (fail closed) rather than asked. */
export class AdminCheckThrottled extends Error {
  override readonly name = "AdminCheckThrottled";
  constructor() {
    super("the Admin-check rate limit is exhausted");
  }
}

/** The RBAC verb that makes someone an svctokens Admin. */
export const ADMIN_VERB = "admin";

/** The SubjectAccessReview asking whether `user` may act as an svctokens Admin. */
export function adminAccessReview(user: AdmissionUserInfo): Record<string, unknown> {
  return {
    apiVersion: "authorization.k8s.io/v1",
    kind: "SubjectAccessReview",
    spec: {
      ...(user.username ? { user: user.username } : {}),
      ...(user.uid ? { uid: user.uid } : {}),
      groups: user.groups ?? [],
      ...(user.extra ? { extra: user.extra } : {}),
      resourceAttributes: { group: API_GROUP, resource: SERVICE_TOKEN_PLURAL, verb: ADMIN_VERB },
    },
  };
}

/** Cache key: everything the authorizer may look at, in a canonical order. */
export function adminCacheKey(user: AdmissionUserInfo): string {
  const extra = Object.entries(user.extra ?? {})
    .map(([key, values]) => [key, [...values].sort()] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([
    user.username ?? "",
    user.uid ?? "",
    [...(user.groups ?? [])].sort(),
    extra,
  ]);
}

/** How the checker reaches the API and how long it remembers. */
export interface AdminCheckOptions {
  rest: Pick<KubeRest, "request">;
  /** How long an answer is reused; 0 asks RBAC every time. */
  ttlMs: number;
  now?: () => number;
  /** Bound on remembered answers (oldest dropped first). */
  maxEntries?: number;
  /** Reviews allowed; none: unlimited. Cached answers cost nothing. */
  budget?: Pick<TokenBucket, "tryTake">;
  /** Told about every review asked and every one refused by the budget (metrics). */
  onReview?: (outcome: "asked" | "throttled") => void;
}

interface CachedAnswer {
  answer: Promise<boolean>;
  expiresAt: number;
}

/** Asks RBAC whether requesters are Admins; concurrent asks for one requester share a review. */
export class AdminCheck {
  readonly #options: AdminCheckOptions;
  readonly #now: () => number;
  readonly #cache = new Map<string, CachedAnswer>();

  constructor(options: AdminCheckOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Resolves to the RBAC answer; rejects when the API could not be asked, or with
   * AdminCheckThrottled when the review budget is spent (both: fail closed).
   */
  async isAdmin(user: AdmissionUserInfo): Promise<boolean> {
    if (!user.username && (user.groups ?? []).length === 0) return false;
    const key = adminCacheKey(user);
    const now = this.#now();
    const cached = this.#cache.get(key);
    if (cached !== undefined && cached.expiresAt > now) return cached.answer;

    const answer = this.#ask(user);
    if (this.#options.ttlMs > 0) {
      this.#cache.delete(key);
      this.#cache.set(key, { answer, expiresAt: now + this.#options.ttlMs });
      this.#evict();
      // A failed review is not an answer: forget it so the next request asks again.
      answer.catch(() => {
        if (this.#cache.get(key)?.answer === answer) this.#cache.delete(key);
      });
    }
    return answer;
  }

  async #ask(user: AdmissionUserInfo): Promise<boolean> {
    if (this.#options.budget?.tryTake() === false) {
      this.#options.onReview?.("throttled");
      throw new AdminCheckThrottled();
    }
    this.#options.onReview?.("asked");
    const review = await this.#options.rest.request<{ status?: { allowed?: boolean } }>(
      "POST",
      resourcePath(SUBJECT_ACCESS_REVIEWS),
      adminAccessReview(user),
    );
    return review.status?.allowed === true;
  }

  #evict(): void {
    const max = this.#options.maxEntries ?? 1000;
    for (const key of this.#cache.keys()) {
      if (this.#cache.size <= max) break;
      this.#cache.delete(key);
    }
  }
}
