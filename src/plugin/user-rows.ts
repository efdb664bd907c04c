// `kubectl svctokens users …`: the ServiceUser to create, the list's rows and which tokens
// stand in the way of a deactivation, as pure functions.
import { API_GROUP_VERSION, SERVICE_USER_KIND, type ServiceUser } from "../api/index.ts";
import type { TokenObject } from "./cluster.ts";
import { statusKey } from "./output.ts";
import { lastUsedText } from "./relative-time.ts";
import { tokenStatus } from "./token-rows.ts";

export interface CreateUserRequest {
  name: string;
  role: ServiceUser["spec"]["role"];
  teams: string[];
  displayName?: string | undefined;
  description?: string | undefined;
  labels: Record<string, string>;
}

export function desiredUser(request: CreateUserRequest): ServiceUser {
  return {
    apiVersion: API_GROUP_VERSION,
    kind: SERVICE_USER_KIND,
    metadata: {
      name: request.name,
      ...(Object.keys(request.labels).length > 0 ? { labels: request.labels } : {}),
    },
    spec: {
      role: request.role,
      active: true,
      ...(request.teams.length > 0 ? { teams: request.teams } : {}),
      ...(request.displayName === undefined ? {} : { displayName: request.displayName }),
      ...(request.description === undefined ? {} : { description: request.description }),
    },
  };
}

/** Active or Deactivated, from the spec when the controller has not written a phase yet. */
export function userStatus(user: ServiceUser): string {
  return user.status?.phase ?? (user.spec.active === false ? "Deactivated" : "Active");
}

export function userHeaders(wide: boolean, colour: boolean): string[] {
  return [
    ...(colour ? [""] : []),
    "NAME",
    "ROLE",
    "TEAMS",
    "STATUS",
    "ACTIVE TOKENS",
    "LAST USED",
    ...(wide ? ["DISPLAY NAME", "USERNAME", "TOKENS", "LAST USED AT"] : []),
  ];
}

export function userRow(user: ServiceUser, wide: boolean, colour: boolean, now: Date): string[] {
  const status = user.status ?? {};
  const key = statusKey(userStatus(user), colour);
  return [
    ...(key === undefined ? [] : [key]),
    user.metadata.name,
    user.spec.role,
    (user.spec.teams ?? []).join(",") || "-",
    userStatus(user),
    String(status.activeTokens ?? 0),
    lastUsedText(status.lastUsedAt, now),
    ...(wide
      ? [
          user.spec.displayName ?? "-",
          status.username ?? `${user.metadata.name}@service`,
          String(status.tokens ?? 0),
          status.lastUsedAt ?? "-",
        ]
      : []),
  ];
}

/** The user's tokens that are Active (by spec and phase): what a deactivation must revoke. */
export function activeTokensOf(tokens: TokenObject[], user: string): TokenObject[] {
  return tokens.filter(
    (t) =>
      t.spec.serviceUser === user &&
      t.spec.revoked !== true &&
      tokenStatus(t) !== "Expired" &&
      t.metadata.deletionTimestamp === undefined,
  );
}

/** The user's Revoked tokens (reactivation leaves them revoked). */
export function revokedTokensOf(tokens: TokenObject[], user: string): TokenObject[] {
  return tokens.filter((t) => t.spec.serviceUser === user && t.spec.revoked === true);
}

/** `ns/name` of each token. */
export function tokenRefs(tokens: TokenObject[]): string {
  return tokens.map((t) => `${t.metadata.namespace ?? ""}/${t.metadata.name}`).join(", ");
}
