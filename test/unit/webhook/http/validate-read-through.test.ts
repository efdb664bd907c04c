// /validate reads a token's ServiceUser through to the API when a garbage-collector DELETE of an
// Active token hinges on it: the cache may still hold a user that was just deleted.
import { beforeEach, expect, it } from "vitest";
import type { ServiceUser } from "../../../../src/api/index.ts";
import { parseServiceUser } from "../../../../src/api/index.ts";
import type { KubeObject } from "../../../../src/k8s/object.ts";
import { admissionRequest, changed } from "../admission/fixtures.ts";
import { serviceToken, serviceUser } from "../fixtures.ts";
import { admissionReview, postJson, harnessForFile } from "./http-harness.ts";

const GC = "system:serviceaccount:kube-system:generic-garbage-collector";
const owner = {
  apiVersion: "svctokens.dev/v1alpha1",
  kind: "ServiceUser",
  name: "ci-bot",
  uid: "uid-user-ci-bot",
};
const active = changed(serviceToken("ci"), {
  metadata: { ownerReferences: [owner] },
  status: { phase: "Active", expiresAt: "2099-01-01T00:00:00Z" },
});

/** What the API answers for a user now, and which names were asked. */
let apiUser: ServiceUser | undefined;
let asked: string[];

// The cache still holds ci-bot as it was (active, same uid).
const t = harnessForFile({ users: [serviceUser("ci-bot")], tokens: [active] }, (t) => {
  t.h.deps.fetchServiceUser = (name): Promise<ServiceUser | undefined> => {
    asked.push(name);
    return Promise.resolve(apiUser);
  };
});

beforeEach(() => {
  apiUser = undefined;
  asked = [];
});

async function gcDeletes(token: KubeObject): Promise<unknown> {
  const request = admissionRequest("DELETE", "servicetokens", { oldObject: token, username: GC });
  const answer = await postJson(t.h, t.pki, "/validate", admissionReview(request));
  return (answer.json() as { response: { allowed: boolean } }).response.allowed;
}

it("allows the delete when the API says the user is gone, though the cache lags", async () => {
  expect(await gcDeletes(active)).toBe(true);
  expect(asked).toEqual(["ci-bot"]);
});

it("allows the delete when the API says the user was recreated (another uid)", async () => {
  apiUser = parseServiceUser(serviceUser("ci-bot", { uid: "uid-user-ci-bot-2" }));
  expect(await gcDeletes(active)).toBe(true);
});

it("refuses the delete when the API confirms the user exists", async () => {
  apiUser = parseServiceUser(serviceUser("ci-bot"));
  expect(await gcDeletes(active)).toBe(false);
  expect(asked).toEqual(["ci-bot"]);
});

it("asks the API nothing for a Revoked token", async () => {
  const revoked = changed(active, { spec: { revoked: true }, status: { phase: "Revoked" } });
  expect(await gcDeletes(revoked)).toBe(true);
  expect(asked).toEqual([]);
});
