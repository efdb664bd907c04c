// src/webhook/authz/: the authorizer (/authorize) for Service Token requests.
// Whether a Service User's request may still go on: the pure decision behind /authorize.
import { GROUP_ROLE_PREFIX, GROUP_SERVICE_USERS, GROUP_TEAM_PREFIX } from "../../api/index.ts";
import { decideRecords, EXTRA_TOKEN_ID, type AuthenticationFailure } from "../authn/decide.ts";
import type { ClusterFacts } from "../cache/facts.ts";
import {
  subjectAccessReviewFor,
  type SubjectAccessReviewRequest,
} from "./subject-access-review.ts";

/** The token checks of /authenticate that apply to a token id. */
type TokenDenial = Exclude<AuthenticationFailure, "malformed" | "audience">;

/** Why a request was denied; a metrics label and a log field. */
export type AuthorizationDenial =
  | TokenDenial
  /** The token-id extra holds no single value (only impersonation can send that). */
  | "token-id"
  /** The request's username or uid is not the token's Service User's. */
  | "identity"
  /** The request's groups are an old role or team set, not a narrower one. */
  | "stale-groups";

/** Which token a decision is about; safe to log. */
export interface AuthorizationSubject {
  tokenId: string;
  /** `namespace/name` of the ServiceToken, once known. */
  tokenKey?: string;
  serviceUser?: string;
}

export type AuthorizationDecision =
  /** Not a request made with a Service Token, or one made with a current token and groups. */
  | { kind: "no-opinion"; why: "not-a-token" | "current"; subject?: AuthorizationSubject }
  | { kind: "deny"; denial: AuthorizationDenial; message: string; subject: AuthorizationSubject }
  /**
   * The groups are older and narrower than the current ones (a promotion in kube-apiserver's
   * authentication cache): RBAC is asked about the current identity with `review`.
   */
  | {
      kind: "ask-rbac";
      review: Record<string, unknown>;
      /** Names the current role and teams, for the answer's reason. */
      current: string;
      subject: AuthorizationSubject;
    };

/**
 * Decides from the cached facts at `now`. A request is about a Service Token when its groups
 * hold `svctokens:service-users` and its extra a token id; anything else gets no opinion.
 */
export function decideAuthorization(
  review: SubjectAccessReviewRequest,
  facts: ClusterFacts,
  now: Date,
): AuthorizationDecision {
  const tokenIds = review.extra[EXTRA_TOKEN_ID];
  if (!review.groups.includes(GROUP_SERVICE_USERS) || tokenIds === undefined) {
    return { kind: "no-opinion", why: "not-a-token" };
  }
  const [tokenId] = tokenIds;
  if (tokenId === undefined || tokenIds.length !== 1) {
    const message = `the request names ${tokenIds.length} token ids; a token request names one`;
    return { kind: "deny", denial: "token-id", message, subject: { tokenId: "" } };
  }

  const records = facts.recordsByTokenId(tokenId);
  // The token's own audiences: the audience was checked at authentication, not here.
  const [record] = records;
  const token = record && facts.serviceToken(record.tokenNamespace, record.tokenName);
  const decision = decideRecords(records, token?.spec.audiences ?? [], facts, now);
  const subject: AuthorizationSubject = {
    tokenId,
    ...(decision.tokenKey === undefined ? {} : { tokenKey: decision.tokenKey }),
    ...(decision.serviceUser === undefined ? {} : { serviceUser: decision.serviceUser }),
  };
  if (!decision.authenticated) {
    // "malformed" cannot happen (no value here), "audience" is excluded by the argument above.
    const denial = decision.reason as TokenDenial;
    return { kind: "deny", denial, message: tokenMessage(denial, subject), subject };
  }

  const { user } = decision;
  if (review.user !== user.username || (review.uid !== "" && review.uid !== user.uid)) {
    const message = `the request's user is not ${user.username}, the owner of token ${tokenId}`;
    return { kind: "deny", denial: "identity", message, subject };
  }
  const asked = review.groups.filter(isSvctokensGroup);
  if (sameSet(asked, user.groups)) return { kind: "no-opinion", why: "current", subject };

  const current = `now ${user.groups.filter((g) => g !== GROUP_SERVICE_USERS).join(", ")}`;
  if (!isNarrower(asked, user.groups)) {
    const message =
      `the role or teams of ServiceUser ${decision.serviceUser} changed (${current}); ` +
      "this request carried the old ones: retry, the next authentication has the new ones";
    return { kind: "deny", denial: "stale-groups", message, subject };
  }
  const { [EXTRA_TOKEN_ID]: _omitted, ...extra } = review.extra;
  const others = review.groups.filter((group) => !isSvctokensGroup(group));
  // Without the token id the review does not match the authorizer's matchCondition, so
  // kube-apiserver does not ask this webhook about its own question.
  const rbacReview = subjectAccessReviewFor(
    { user: user.username, uid: user.uid, groups: [...others, ...user.groups], extra },
    review,
  );
  return { kind: "ask-rbac", review: rbacReview, current, subject };
}

/** What the person at the terminal reads after "forbidden: …". */
function tokenMessage(denial: TokenDenial, subject: AuthorizationSubject): string {
  const token = subject.tokenKey
    ? `ServiceToken ${subject.tokenKey} (token id ${subject.tokenId})`
    : `token ${subject.tokenId}`;
  const user = `ServiceUser ${subject.serviceUser ?? ""}`;
  switch (denial) {
    case "unknown":
      return `${token} is no longer current (regenerated, rotated out or deleted): use the value its delivery Secret holds now`;
    case "ambiguous":
      return `${token} matches more than one hash record: ask an Admin to check the operator's records`;
    case "stale":
      return `${token} belongs to a ServiceToken that was replaced or deleted`;
    case "deleting":
      return `${token} is being deleted`;
    case "revoked":
      return `${token} is revoked: an Admin may restore it (spec.revoked: false)`;
    case "expired":
      return `${token} has expired: ask an Admin for a new token`;
    case "user-missing":
      return `the ${user} of ${token} no longer exists`;
    case "user-inactive":
      return `the ${user} of ${token} is deactivated`;
    case "user-replaced":
      return `the ${user} of ${token} was deleted and created again: its old tokens do not carry over; ask an Admin for a new token`;
  }
}

const ROLE_RANK: Record<string, number> = { member: 1, manager: 2, admin: 3 };

function isSvctokensGroup(group: string): boolean {
  return group.startsWith("svctokens:");
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const setB = new Set(b);
  return new Set(a).size === setB.size && a.every((group) => setB.has(group));
}

/**
 * True when every old group is still current or outranked by a current one: the role group by
 * a higher role (`svctokens:role:member` by `…:manager`), a team's role group by a higher role
 * in the same team (`svctokens:team:<t>:member` by `…:<t>:manager`). A lost team is not narrower.
 */
export function isNarrower(old: readonly string[], current: readonly string[]): boolean {
  return old.every(
    (group) => current.includes(group) || current.some((now) => outranks(now, group)),
  );
}

function outranks(now: string, old: string): boolean {
  const [nowScope, nowRole] = roleGroup(now);
  const [oldScope, oldRole] = roleGroup(old);
  if (nowRole === undefined || oldRole === undefined || nowScope !== oldScope) return false;
  return (ROLE_RANK[nowRole] ?? 0) > (ROLE_RANK[oldRole] ?? Infinity);
}

/** `[scope, role]` of a role-bearing group: `svctokens:role:<r>` or `svctokens:team:<t>:<r>`. */
function roleGroup(group: string): [string, string | undefined] {
  if (group.startsWith(GROUP_ROLE_PREFIX)) return ["", group.slice(GROUP_ROLE_PREFIX.length)];
  if (!group.startsWith(GROUP_TEAM_PREFIX)) return [group, undefined];
  const rest = group.slice(GROUP_TEAM_PREFIX.length);
  const colon = rest.lastIndexOf(":");
  if (colon < 0 || !Object.hasOwn(ROLE_RANK, rest.slice(colon + 1))) return [group, undefined];
  return [rest.slice(0, colon), rest.slice(colon + 1)];
}
