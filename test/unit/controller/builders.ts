// Typed ServiceToken and ServiceUser builders for the controller's pure-function tests.
import type {
  ServiceToken,
  ServiceTokenSpec,
  ServiceTokenStatus,
  ServiceUser,
  ServiceUserSpec,
  ServiceUserStatus,
} from "../../../src/api/index.ts";

export const NOW = new Date("2025-06-01T12:00:00Z");
export const DAY_MS = 24 * 60 * 60 * 1000;

/** `NOW` moved by `ms` milliseconds, as the API server writes times. */
export function at(ms: number): string {
  return new Date(NOW.getTime() + ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export interface TokenParts {
  name?: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  ownerReferences?: unknown[];
  spec?: Partial<ServiceTokenSpec>;
  status?: ServiceTokenStatus;
}

export function token(parts: TokenParts = {}): ServiceToken {
  return {
    apiVersion: "svctokens.dev/v1alpha1",
    kind: "ServiceToken",
    metadata: {
      name: parts.name ?? "ci",
      namespace: parts.namespace ?? "prod",
      uid: parts.uid ?? "uid-token-ci",
      ...(parts.generation === undefined ? {} : { generation: parts.generation }),
      ...(parts.ownerReferences ? { ownerReferences: parts.ownerReferences } : {}),
    },
    spec: { serviceUser: "ci-bot", revoked: false, ...parts.spec },
    ...(parts.status ? { status: parts.status } : {}),
  };
}

export interface UserParts {
  name?: string;
  uid?: string;
  generation?: number;
  spec?: Partial<ServiceUserSpec>;
  status?: ServiceUserStatus;
}

export function user(parts: UserParts = {}): ServiceUser {
  return {
    apiVersion: "svctokens.dev/v1alpha1",
    kind: "ServiceUser",
    metadata: {
      name: parts.name ?? "ci-bot",
      uid: parts.uid ?? "uid-user-ci-bot",
      ...(parts.generation === undefined ? {} : { generation: parts.generation }),
    },
    spec: { role: "Member", active: true, ...parts.spec },
    ...(parts.status ? { status: parts.status } : {}),
  };
}
