// Who a cached ServiceUser authenticates as (username, uid, groups) and that identity as
// TokenReview JSON, made once per ServiceUser object instead of on every success: a user's
// groups are built from its role and teams, which change rarely, while its tokens may be
// presented thousands of times a second. The inputs are compared on every read (as
// expiry-memo.ts does), so a user changed in place is never answered from an old entry; the
// lists handed out are frozen, so no caller can change them for the next one.
import type { ServiceUser } from "../../api/index.ts";
import { serviceUserGroups, serviceUserUsername } from "../../domain/identity.ts";

/** A ServiceUser's identity, shared by every success of its tokens: read only. */
export interface UserIdentity {
  readonly username: string;
  /** metadata.uid of the ServiceUser ("" when it has none). */
  readonly uid: string;
  readonly groups: readonly string[];
  /**
   * `{"username":…[,"uid":…],"groups":[…],"extra":` — the TokenReview `status.user` up to its
   * extra, each value JSON-escaped (token-review.ts finishes it).
   */
  readonly userJsonHead: string;
  /** The groups comma-joined: /verify's `X-Auth-Request-Groups`. */
  readonly groupsHeader: string;
}

interface Entry {
  name: string;
  uid: string | undefined;
  role: string;
  teams: readonly string[] | undefined;
  /** A copy of the teams read, compared item by item: an array changed in place is noticed. */
  teamsRead: readonly string[];
  identity: UserIdentity;
}

/**
 * Identities by their (frozen, shared) group list: how the answer writer finds the JSON of a
 * decision's user without the decision carrying more than its user.
 */
const byGroups = new WeakMap<readonly string[], UserIdentity>();

/**
 * The memoized identity a decision's user was made from, if it was (same group list, username
 * and uid); undefined for a user built otherwise, which the caller then serializes itself.
 */
export function identityOfUser(user: {
  username: string;
  uid: string;
  groups: readonly string[];
}): UserIdentity | undefined {
  const identity = byGroups.get(user.groups);
  if (identity === undefined) return undefined;
  return identity.username === user.username && identity.uid === user.uid ? identity : undefined;
}

/** ServiceUser objects → their identity; entries go with the objects. */
export class IdentityMemo {
  readonly #entries = new WeakMap<object, Entry>();

  identityOf(user: ServiceUser): UserIdentity {
    const entry = this.#entries.get(user);
    if (entry !== undefined && sameInputs(entry, user)) return entry.identity;
    const teams = user.spec.teams;
    const fresh: Entry = {
      name: user.metadata.name,
      uid: user.metadata.uid,
      role: user.spec.role,
      teams,
      teamsRead: teams === undefined ? [] : [...teams],
      identity: buildIdentity(user),
    };
    this.#entries.set(user, fresh);
    return fresh.identity;
  }
}

function sameInputs(entry: Entry, user: ServiceUser): boolean {
  const { metadata, spec } = user;
  if (entry.name !== metadata.name || entry.uid !== metadata.uid) return false;
  if (entry.role !== spec.role || entry.teams !== spec.teams) return false;
  const teams = spec.teams ?? [];
  if (teams.length !== entry.teamsRead.length) return false;
  for (let index = 0; index < teams.length; index++) {
    if (teams[index] !== entry.teamsRead[index]) return false;
  }
  return true;
}

function buildIdentity(user: ServiceUser): UserIdentity {
  const username = serviceUserUsername(user.metadata.name);
  const uid = user.metadata.uid ?? "";
  const groups = Object.freeze(serviceUserGroups(user.spec));
  // The field order of `JSON.stringify(status.user)`: username, uid (only when set), groups.
  const uidField = uid === "" ? "" : `,"uid":${JSON.stringify(uid)}`;
  const userJsonHead =
    `{"username":${JSON.stringify(username)}${uidField}` +
    `,"groups":${JSON.stringify(groups)},"extra":`;
  const groupsHeader = groups.join(",");
  const identity = Object.freeze({ username, uid, groups, userJsonHead, groupsHeader });
  byGroups.set(groups, identity);
  return identity;
}
