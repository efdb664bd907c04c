// `kubectl svctokens list`: which tokens to show and how each reads, as pure functions of the
// tokens and the time.
import { SCIM_AUDIENCE } from "../api/index.ts";
import type { TokenObject } from "./cluster.ts";
import { statusKey } from "./output.ts";
import { expirationText, lastUsedText } from "./relative-time.ts";

/** The statuses `--status` accepts. */
export const TOKEN_STATUSES = ["active", "revoked", "expired"] as const;
export type TokenStatusFilter = (typeof TOKEN_STATUSES)[number];

export interface TokenFilter {
  user?: string | undefined;
  status?: TokenStatusFilter | undefined;
  /** Only tokens not used for this many days (never used counts as unused). */
  unusedDays?: number | undefined;
}

const DAY_MS = 24 * 3600 * 1000;

/** The status word of a token: its phase, or Pending before the controller has seen it. */
export function tokenStatus(token: TokenObject): string {
  return token.status?.phase ?? "Pending";
}

/** Whether the token passes `--user`, `--status` and `--unused`. */
export function matchesFilter(token: TokenObject, filter: TokenFilter, now: Date): boolean {
  if (filter.user !== undefined && token.spec.serviceUser !== filter.user) return false;
  if (filter.status !== undefined && tokenStatus(token).toLowerCase() !== filter.status) {
    return false;
  }
  if (filter.unusedDays !== undefined) {
    const lastUsed = token.status?.lastUsedAt;
    const unusedSince = now.getTime() - filter.unusedDays * DAY_MS;
    if (lastUsed !== undefined && new Date(lastUsed).getTime() > unusedSince) return false;
  }
  return true;
}

/** How the table is laid out. */
export interface TokenTableLayout {
  wide: boolean;
  /** -A: a NAMESPACE column. */
  allNamespaces: boolean;
  /** A terminal: the coloured ● key column. */
  colour: boolean;
}

/** The EXPIRATION column; a token not generated yet shows its lifetime. */
export function tokenExpiration(token: TokenObject, now: Date): string {
  const { expiresAt } = token.status ?? {};
  if (expiresAt === undefined && token.status?.createdAt === undefined) {
    const days = token.spec.expiresInDays;
    return days === undefined ? "never" : `${days} days from generation`;
  }
  return expirationText(expiresAt, now);
}

const WIDE_ROTATION_HEADERS = ["ROTATED", "PREVIOUS VALUE EXPIRES", "ROTATIONS"];

/** Column headers for the layout. */
export function tokenHeaders(layout: TokenTableLayout, rotation: boolean): string[] {
  return [
    ...(layout.colour ? [""] : []),
    "NAME",
    ...(layout.allNamespaces ? ["NAMESPACE"] : []),
    "USER",
    "EXPIRATION",
    "LAST USED",
    "STATUS",
    ...(layout.wide ? ["EXPIRES AT", "LAST USED AT", "TOKEN ID", "KIND"] : []),
    ...(layout.wide && rotation ? WIDE_ROTATION_HEADERS : []),
  ];
}

/** Whether any token carries rotation status (then `-o wide` shows its columns). */
export function hasRotationStatus(tokens: TokenObject[]): boolean {
  return tokens.some(
    (t) =>
      t.status?.currentValueCreatedAt !== undefined ||
      t.status?.previousValueExpiresAt !== undefined ||
      t.status?.rotations !== undefined,
  );
}

/** What kind of token it is: SCIM, client-generated (hash only) or delivered in a Secret. */
export function tokenKind(token: TokenObject): string {
  const kinds = [
    token.spec.audiences?.includes(SCIM_AUDIENCE) ? "scim" : undefined,
    token.spec.tokenHash === undefined ? "secret" : "client-generated",
  ];
  return kinds.filter((kind) => kind !== undefined).join(",");
}

/** One table row. */
export function tokenRow(
  token: TokenObject,
  layout: TokenTableLayout,
  rotation: boolean,
  now: Date,
): string[] {
  const status = token.status ?? {};
  const key = statusKey(tokenStatus(token), layout.colour);
  return [
    ...(key === undefined ? [] : [key]),
    token.metadata.name,
    ...(layout.allNamespaces ? [token.metadata.namespace ?? ""] : []),
    token.spec.serviceUser,
    tokenExpiration(token, now),
    lastUsedText(status.lastUsedAt, now),
    tokenStatus(token),
    ...(layout.wide
      ? [
          status.expiresAt ?? "never",
          status.lastUsedAt ?? "-",
          status.tokenId ?? "-",
          tokenKind(token),
        ]
      : []),
    ...(layout.wide && rotation
      ? [
          status.currentValueCreatedAt ?? "-",
          status.previousValueExpiresAt ?? "-",
          String(status.rotations ?? 0),
        ]
      : []),
  ];
}

/** Tokens in the order kubectl lists them: namespace, then name. */
export function sortTokens(tokens: TokenObject[]): TokenObject[] {
  return [...tokens].sort(
    (a, b) =>
      (a.metadata.namespace ?? "").localeCompare(b.metadata.namespace ?? "") ||
      a.metadata.name.localeCompare(b.metadata.name),
  );
}
