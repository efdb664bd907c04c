// `kubectl svctokens inspect`: what can be told about a token value without the cluster
// (shape, checksum, token id), and how a found ServiceToken reads. Pure functions.
import type { ServiceUser } from "../api/index.ts";
import { tokenChecksum } from "../tokens/checksum.ts";
import {
  hashToken,
  isWellFormedToken,
  TOKEN_LENGTH,
  TOKEN_PREFIX,
  tokenIdFromHash,
} from "../tokens/index.ts";
import type { TokenObject } from "./cluster.ts";
import { expirationText, lastUsedText } from "./relative-time.ts";
import { tokenStatus } from "./token-rows.ts";

const CHECKSUM_LENGTH = 6;

export interface OfflineFacts {
  wellFormed: boolean;
  /** Each check in words, e.g. "prefix svct_: yes". */
  checks: [string, boolean][];
  tokenId: string;
}

export function inspectOffline(value: string): OfflineFacts {
  const body = value.slice(0, value.length - CHECKSUM_LENGTH);
  const checksumMatches =
    value.length === TOKEN_LENGTH && tokenChecksum(body) === value.slice(body.length);
  return {
    wellFormed: isWellFormedToken(value),
    checks: [
      [`prefix ${TOKEN_PREFIX}`, value.startsWith(TOKEN_PREFIX)],
      [`length ${TOKEN_LENGTH}`, value.length === TOKEN_LENGTH],
      ["checksum", checksumMatches],
    ],
    tokenId: tokenIdFromHash(hashToken(value)),
  };
}

/** The report lines (label, value) for the ServiceToken a value belongs to. */
export function describeFound(
  token: TokenObject,
  user: ServiceUser | undefined,
  now: Date,
): [string, string][] {
  const status = token.status ?? {};
  const userText = user
    ? `${user.metadata.name} (role ${user.spec.role}, ${user.status?.phase ?? "Active"})`
    : `${token.spec.serviceUser} (not readable or gone)`;
  const lines: [string, string][] = [
    ["ServiceToken", `${token.metadata.namespace ?? ""}/${token.metadata.name}`],
    ["User", userText],
    ["Status", tokenStatus(token)],
    [
      "Expires",
      status.expiresAt ? `${expirationText(status.expiresAt, now)} (${status.expiresAt})` : "never",
    ],
    ["Last used", lastUsedText(status.lastUsedAt, now)],
  ];
  if (status.currentValueCreatedAt !== undefined)
    lines.push(["Value created", status.currentValueCreatedAt]);
  if (status.previousValueExpiresAt !== undefined) {
    lines.push(["Previous value expires", status.previousValueExpiresAt]);
  }
  if (status.rotations !== undefined) lines.push(["Rotations", String(status.rotations)]);
  return lines;
}

/** Aligned `label: value` lines. */
export function renderFacts(lines: [string, string][]): string {
  const width = Math.max(...lines.map(([label]) => label.length)) + 1;
  return lines.map(([label, value]) => `${`${label}:`.padEnd(width + 1)}${value}`).join("\n");
}
