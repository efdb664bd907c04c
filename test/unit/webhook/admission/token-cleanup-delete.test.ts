import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../../src/k8s/object.ts";
import { decideAdmission, needsAdminCheck } from "../../../../src/webhook/admission/decide.ts";
import { serviceUserToConfirm } from "../../../../src/webhook/admission/token-cleanup-delete.ts";
import { admissionFacts, admissionRequest, changed, CONTROLLER } from "./fixtures.ts";
import { NOW, serviceToken, serviceUser } from "../fixtures.ts";

const GC = "system:serviceaccount:kube-system:generic-garbage-collector";
const NAMESPACE_CONTROLLER = "system:serviceaccount:kube-system:namespace-controller";
const KCM = "system:kube-controller-manager";

const owner = (uid: string): object => ({
  apiVersion: "svctokens.dev/v1alpha1",
  kind: "ServiceUser",
  name: "ci-bot",
  uid,
});
const dangling = { apiVersion: "v1", kind: "ConfigMap", name: "gone", uid: "uid-gone" };
const active = changed(serviceToken("ci"), {
  metadata: { ownerReferences: [owner("uid-user-ci-bot")] },
  status: { phase: "Active", expiresAt: "2025-06-30T00:00:00Z" },
});
const withOwners = (token: KubeObject, ownerReferences: object[]): KubeObject =>
  changed(token, { metadata: { ownerReferences } });
const revoked = changed(active, { spec: { revoked: true }, status: { phase: "Revoked" } });
const expired = changed(active, { status: { phase: "Active", expiresAt: "2025-05-01T00:00:00Z" } });

const alive = serviceUser("ci-bot");
const deleting = serviceUser("ci-bot", { deleting: true });
const recreated = serviceUser("ci-bot", { uid: "uid-user-ci-bot-2" });

const REFUSED =
  "The garbage collector may not delete ServiceToken prod/ci: it is Active and its " +
  'ServiceUser "ci-bot" still exists. Revoke the token (spec.revoked: true) before deleting ' +
  "it, or deactivate and delete the ServiceUser to delete its tokens";

interface Case {
  name: string;
  token: KubeObject;
  username: string;
  users: KubeObject[];
  denied?: string;
}

describe("deletes of ServiceTokens by clean-up identities", () => {
  const cases: Case[] = [
    {
      name: "GC: an Active token whose ServiceUser exists (dangling other owner)",
      token: withOwners(active, [owner("uid-user-ci-bot"), dangling]),
      username: GC,
      users: [alive],
      denied: REFUSED,
    },
    {
      name: "GC: an Active token with only a dangling owner, its ServiceUser exists",
      token: withOwners(active, [dangling]),
      username: GC,
      users: [alive],
      denied: REFUSED,
    },
    {
      name: "GC: an Active token not generated yet, its ServiceUser exists",
      token: withOwners(serviceToken("ci"), [dangling]),
      username: GC,
      users: [alive],
      denied: REFUSED,
    },
    {
      name: "GC: an Active token whose ServiceUser does not exist",
      token: active,
      username: GC,
      users: [],
    },
    {
      name: "GC: an Active token whose ServiceUser is being deleted (foreground)",
      token: active,
      username: GC,
      users: [deleting],
    },
    {
      name: "GC: an Active token whose ServiceUser was deleted and recreated (other uid)",
      token: active,
      username: GC,
      users: [recreated],
    },
    { name: "GC: a Revoked token", token: revoked, username: GC, users: [alive] },
    { name: "GC: an Expired token", token: expired, username: GC, users: [alive] },
    {
      name: "GC: an Active token already being deleted",
      token: changed(active, { metadata: { deletionTimestamp: "2025-06-01T00:00:00Z" } }),
      username: GC,
      users: [alive],
    },
    {
      name: "namespace controller: an Active token whose ServiceUser exists",
      token: active,
      username: NAMESPACE_CONTROLLER,
      users: [alive],
    },
    {
      name: "kube-controller-manager (may be the namespace controller): an Active token",
      token: active,
      username: KCM,
      users: [alive],
    },
  ];

  it.each(cases)("$name", (c) => {
    const request = admissionRequest("DELETE", "servicetokens", {
      oldObject: c.token,
      username: c.username,
    });
    expect(needsAdminCheck(request, CONTROLLER)).toBe(false);
    const verdict = decideAdmission(request, admissionFacts({ users: c.users }));
    if (c.denied === undefined) expect(verdict).toEqual({ allowed: true });
    else expect(verdict).toEqual({ allowed: false, message: c.denied });
  });
});

describe("serviceUserToConfirm", () => {
  const cases: {
    name: string;
    token: KubeObject;
    username?: string;
    users: KubeObject[];
    confirm?: string;
  }[] = [
    {
      name: "cache says alive: it may lag a deletion",
      token: active,
      users: [alive],
      confirm: "ci-bot",
    },
    {
      name: "cache has no user: it may lag a creation",
      token: active,
      users: [],
      confirm: "ci-bot",
    },
    { name: "cache says being deleted: final", token: active, users: [deleting] },
    { name: "cache says another uid: final", token: active, users: [recreated] },
    { name: "a Revoked token: nothing hinges on the user", token: revoked, users: [alive] },
    {
      name: "the namespace controller: nothing hinges on the user",
      token: active,
      username: NAMESPACE_CONTROLLER,
      users: [alive],
    },
    {
      name: "an Admin's delete: decided from the cache",
      token: active,
      username: "root",
      users: [alive],
    },
  ];

  it.each(cases)("$name", (c) => {
    const request = admissionRequest("DELETE", "servicetokens", {
      oldObject: c.token,
      username: c.username ?? GC,
    });
    const cluster = admissionFacts({ users: c.users }).cluster;
    expect(serviceUserToConfirm(request, cluster, NOW)).toBe(c.confirm);
  });
});
