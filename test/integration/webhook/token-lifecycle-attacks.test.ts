// Attacks on what decides a ServiceToken's life and on the operator's Secrets (issue 9,
// findings 3 and 5), through kube-apiserver with the shipped RBAC: a writer who is not an Admin
// tries to have the garbage collector delete an Active token, to strip its finalizer or to
// rotate it; the garbage collector's identity tries to delete an Active token and to re-label a
// hash record; an Admin tries to plant Secrets of the controller's types.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LABEL_TOKEN_NAMESPACE, SERVICE_TOKENS, SERVICE_USERS } from "../../../src/api/index.ts";
import { resourcePath, SECRETS } from "../../../src/k8s/paths.ts";
import { PATCH } from "../../../src/k8s/rest.ts";
import { controlPlane } from "../support/cluster.ts";
import { kubectl, type KubectlResult } from "../support/kubectl.ts";
import { OPERATOR_NAMESPACE } from "../support/operator.ts";
import type { Api, TestObject } from "../support/resources.ts";
import { WebhookRun } from "./webhook-run.ts";
import {
  admissionDenial,
  deletedEventually,
  expectForbidden,
  notAdminDenial,
  readObject,
  registerScopedAdmission,
} from "./webhook-support.ts";

const GC = "system:serviceaccount:kube-system:generic-garbage-collector";
const CONFIG_MAPS = { group: "", version: "v1", plural: "configmaps", namespaced: true };
const ROTATE = "svctokens.dev/rotate-requested-at";
const FINALIZER = "svctokens.dev/hash-record";
const TOKENS = ["dangling", "finalizer", "rotation", "labelled", "gc-delete", "record"];

let run: WebhookRun;
let ns: string;
let eddie: Api;
let eddieName: string;
let owner: string;
let unregisterRecords: (() => Promise<void>) | undefined;

const tokenPath = (name: string): string => resourcePath(SERVICE_TOKENS, { namespace: ns, name });
const activeToken = (name: string): Promise<TestObject> =>
  run.admin.tokenWhere(ns, name, "Active", (t) => t.status?.phase === "Active");
const failure = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );
const patchMetadataAs = (api: Api, name: string, metadata: object): Promise<unknown> =>
  failure(api.rest.request("PATCH", tokenPath(name), { metadata }, PATCH.merge));

/** kubectl as the garbage collector's identity (the admin may impersonate). */
const asGarbageCollector = (args: string[]): Promise<KubectlResult> =>
  kubectl(controlPlane().adminKubeconfig, [`--as=${GC}`, ...args]);

/** The denial of a protected metadata change to eddie. */
const metadataDenial = (fields: string, name: string, why: string): string =>
  admissionDenial(
    `${notAdminDenial(`Changing ${fields} of ServiceToken ${ns}/${name}`, eddieName)}. ` +
      `Why: ${why}. Labels and other annotations need no Admin.`,
  );

beforeAll(async () => {
  run = await WebhookRun.start();
  ns = await run.namespace("lifecycle");
  // Hash records live in the operator's namespace without the run's label: judge this file's
  // records (labelled with the token's namespace) too.
  unregisterRecords = await registerScopedAdmission(run.service, LABEL_TOKEN_NAMESPACE, ns);
  eddieName = `eddie-${run.run}`;
  eddie = await run.person(eddieName, await run.writerRole());
  owner = `owner-${run.run}`;
  await run.createUser(run.admin, owner, { role: "Member" });
  // One token per attack, so that each attack's outcome stands on its own.
  for (const name of TOKENS) await run.createToken(run.admin, ns, name, { serviceUser: owner });
  await Promise.all(TOKENS.map(activeToken));
}, 240_000);

afterAll(async () => {
  await unregisterRecords?.();
  await run?.stop();
}, 240_000);

describe("a writer who is not an Admin", () => {
  it("cannot point an Active token at a dangling owner for the garbage collector to delete", async () => {
    const dangling = { apiVersion: "v1", kind: "ConfigMap", name: "gone", uid: randomUUID() };
    const error = await patchMetadataAs(eddie, "dangling", { ownerReferences: [dangling] });
    expectForbidden(
      error,
      metadataDenial(
        "metadata.ownerReferences",
        "dangling",
        "owner references decide when the garbage collector deletes a token",
      ),
    );
    // The garbage collector's turn: a ConfigMap with the same dangling owner is deleted...
    await run.admin.rest.request("POST", resourcePath(CONFIG_MAPS, { namespace: ns }), {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "gc-sentinel", labels: run.labels, ownerReferences: [dangling] },
    });
    await deletedEventually(
      run.admin,
      resourcePath(CONFIG_MAPS, { namespace: ns, name: "gc-sentinel" }),
    );
    // ...and the token is still there, Active, owned by its ServiceUser only.
    const token = await activeToken("dangling");
    expect(token.metadata?.deletionTimestamp).toBeUndefined();
    expect(token.metadata?.ownerReferences?.map((ref) => ref.kind)).toEqual(["ServiceUser"]);
  });

  it("cannot remove the controller's finalizer", async () => {
    const error = await patchMetadataAs(eddie, "finalizer", { finalizers: [] });
    expectForbidden(
      error,
      metadataDenial(
        "metadata.finalizers",
        "finalizer",
        "finalizers hold a token's deletion until its hash record is removed",
      ),
    );
    expect((await activeToken("finalizer")).metadata?.finalizers).toContain(FINALIZER);
  });

  it("cannot set the rotation annotation", async () => {
    const error = await patchMetadataAs(eddie, "rotation", {
      annotations: { [ROTATE]: new Date().toISOString() },
    });
    expectForbidden(
      error,
      metadataDenial(
        `the annotation ${ROTATE}`,
        "rotation",
        "the rotation annotation replaces a token's value",
      ),
    );
    expect((await activeToken("rotation")).metadata?.annotations?.[ROTATE]).toBeUndefined();
  });

  it("may change a label", async () => {
    expect(await patchMetadataAs(eddie, "labelled", { labels: { team: "payments" } })).toBe(
      undefined,
    );
    expect((await activeToken("labelled")).metadata?.labels?.team).toBe("payments");
  });
});

describe("the garbage collector's identity", () => {
  it("cannot delete an Active token whose ServiceUser exists", async () => {
    const result = await asGarbageCollector([
      "delete",
      "st",
      "gc-delete",
      "-n",
      ns,
      "--wait=false",
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      admissionDenial(
        `The garbage collector may not delete ServiceToken ${ns}/gc-delete: it is Active and its ` +
          `ServiceUser "${owner}" still exists. Revoke the token (spec.revoked: true) before ` +
          "deleting it, or deactivate and delete the ServiceUser to delete its tokens",
      ),
    );
    expect((await activeToken("gc-delete")).metadata?.deletionTimestamp).toBeUndefined();
  });

  it("may change a hash record's finalizers and owner references, nothing else", async () => {
    const uid = (await activeToken("record")).metadata?.uid ?? "";
    const record = `token-${uid}`;
    const recordPath = resourcePath(SECRETS, { namespace: OPERATOR_NAMESPACE, name: record });
    const patch = (body: object): Promise<KubectlResult> =>
      asGarbageCollector([
        "patch",
        "secret",
        record,
        "-n",
        OPERATOR_NAMESPACE,
        "--type=merge",
        `-p=${JSON.stringify(body)}`,
      ]);
    const before = await readObject(run.admin, recordPath);
    const denial = `so only the svctokens controller may change it, not "${GC}"`;

    const relabel = await patch({ metadata: { labels: { "svctokens.dev/token-name": "other" } } });
    expect(relabel.stderr).toContain('admission webhook "secrets.svctokens.dev" denied');
    expect(relabel.stderr).toContain(denial);
    const annotate = await patch({
      metadata: { annotations: { "svctokens.dev/created-at": "2099-01-01T00:00:00Z" } },
    });
    expect(annotate.stderr).toContain(denial);

    const namespace = await readObject(run.admin, `/api/v1/namespaces/${OPERATOR_NAMESPACE}`);
    const namespaceOwner = {
      apiVersion: "v1",
      kind: "Namespace",
      name: OPERATOR_NAMESPACE,
      uid: namespace?.metadata?.uid ?? "",
    };
    for (const body of [
      { metadata: { finalizers: ["svctokens.dev/test-hold"] } },
      { metadata: { finalizers: null } },
      { metadata: { ownerReferences: [namespaceOwner] } },
      { metadata: { ownerReferences: null } },
    ]) {
      const result = await patch(body);
      expect({ body, stderr: result.stderr, code: result.code }).toMatchObject({ code: 0 });
    }
    const after = await readObject(run.admin, recordPath);
    expect(after?.metadata?.labels).toEqual(before?.metadata?.labels);
    expect(after?.metadata?.annotations).toEqual(before?.metadata?.annotations);
  });

  it("still deletes the tokens of a deleted ServiceUser (revoked, deactivated, deleted)", async () => {
    const leaving = `leaving-${run.run}`;
    await run.createUser(run.admin, leaving, { role: "Member" });
    await run.createToken(run.admin, ns, "leaving", { serviceUser: leaving });
    await activeToken("leaving");
    await run.admin.patchToken(ns, "leaving", { revoked: true });
    await run.admin.tokenWhere(ns, "leaving", "Revoked", (t) => t.status?.phase === "Revoked");
    await run.admin.patchUser(leaving, { active: false });
    await run.admin.delete(resourcePath(SERVICE_USERS, { name: leaving }));
    await deletedEventually(run.admin, tokenPath("leaving"));
  });
});

describe("Secrets of the controller's types", () => {
  const plant = (name: string, type: string, labels: Record<string, string>): Promise<unknown> =>
    failure(
      run.admin.rest.request("POST", resourcePath(SECRETS, { namespace: ns }), {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name, labels: { ...run.labels, ...labels } },
        type,
        stringData: { token: "planted" },
      }),
    );

  it.each([
    ["an unlabelled hash record", "svctokens.dev/token-hash", {}],
    ["an unlabelled delivery Secret", "svctokens.dev/service-token", {}],
    [
      "an Opaque Secret with the managed-by label",
      "Opaque",
      { "app.kubernetes.io/managed-by": "svctokens" },
    ],
  ])("cannot be planted by anyone but the controller: %s", async (_what, type, labels) => {
    const name = `planted-${randomUUID().slice(0, 8)}`;
    const error = await plant(name, type, labels);
    expectForbidden(error, 'admission webhook "secrets.svctokens.dev" denied the request');
    expectForbidden(error, "only the svctokens controller");
    expect(await run.admin.secret(ns, name)).toBeUndefined();
  });
});
