// The mutating admission webhook (POST /mutate, record 64) against the real control plane: a
// ServiceToken created by an Admin leaves kube-apiserver with the controller's finalizer and the
// owner reference to its ServiceUser, so the controller never writes the token's metadata (its
// field manager owns nothing outside status). A token applied before its ServiceUser still gets
// its owner reference, from the controller. A non-Admin gains nothing from the mutation: the
// validating webhook refuses the create as before.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTROLLER_FIELD_MANAGER, SERVICE_TOKENS } from "../../../src/api/index.ts";
import { TOKEN_FINALIZER } from "../../../src/domain/token-ownership.ts";
import { resourcePath } from "../../../src/k8s/paths.ts";
import { eventually } from "../support/cluster.ts";
import type { Api, TestObject } from "../support/resources.ts";
import { WebhookRun } from "./webhook-run.ts";
import { expectForbidden } from "./webhook-support.ts";

let run: WebhookRun;
let ns: string;
let user: TestObject;
let eddie: Api; // may write our objects (RBAC) but is not an Admin

interface ManagedEntry {
  manager?: string;
  subresource?: string;
  fieldsV1?: { "f:metadata"?: Record<string, unknown> };
}
const managedFields = (object: TestObject | undefined): ManagedEntry[] =>
  object?.metadata?.managedFields ?? [];
/** What the controller's field manager owns of the token outside its status subresource. */
const controllerOwnedMetadata = (token: TestObject | undefined): ManagedEntry[] =>
  managedFields(token).filter(
    (entry) => entry.manager === CONTROLLER_FIELD_MANAGER && entry.subresource !== "status",
  );
const userReference = (uid: string | undefined, name: string): Record<string, unknown> => ({
  apiVersion: "svctokens.dev/v1alpha1",
  kind: "ServiceUser",
  name,
  uid,
});

beforeAll(async () => {
  run = await WebhookRun.start({ mutatingAdmission: true });
  ns = await run.namespace("mutate");
  user = await run.createUser(run.admin, `mutate-${run.run}`, { role: "Member" });
  eddie = await run.person(`eddie-${run.run}`, await run.writerRole());
  // The mutation reads the webhook's cache: wait until a dry-run create shows the user there.
  const name = user.metadata?.name ?? "";
  await eventually("the webhook to have the ServiceUser cached", async () => {
    const dry = await run.admin.rest.request<TestObject>(
      "POST",
      `${resourcePath(SERVICE_TOKENS, { namespace: ns })}?dryRun=All`,
      {
        apiVersion: "svctokens.dev/v1alpha1",
        kind: "ServiceToken",
        metadata: { name: "probe", labels: run.labels },
        spec: { serviceUser: name },
      },
    );
    return (dry.metadata?.ownerReferences ?? []).length > 0 ? true : undefined;
  });
}, 180_000);

afterAll(async () => {
  await run?.stop();
}, 240_000);

describe("mutating admission at ServiceToken CREATE", () => {
  it("sets finalizer and owner at create; the controller then writes only status", async () => {
    const name = user.metadata?.name ?? "";
    const created = await run.createToken(run.admin, ns, "ci", { serviceUser: name });
    expect(created.metadata?.finalizers).toEqual([TOKEN_FINALIZER]);
    expect(created.metadata?.ownerReferences).toEqual([userReference(user.metadata?.uid, name)]);

    await run.delivered(ns, "ci");
    await run.controller?.whenIdle();
    const settled = await run.admin.token(ns, "ci");
    expect(settled?.metadata?.finalizers).toEqual([TOKEN_FINALIZER]);
    expect(settled?.metadata?.ownerReferences).toEqual(created.metadata?.ownerReferences);
    expect(controllerOwnedMetadata(settled)).toEqual([]);
    expect(
      managedFields(settled).some(
        (entry) => entry.manager === CONTROLLER_FIELD_MANAGER && entry.subresource === "status",
      ),
    ).toBe(true);
  });

  it("a token applied before its ServiceUser gets the owner reference from the controller", async () => {
    const later = `later-${run.run}`;
    const created = await run.createToken(run.admin, ns, "early", { serviceUser: later });
    expect(created.metadata?.finalizers).toEqual([TOKEN_FINALIZER]);
    expect(created.metadata?.ownerReferences).toBeUndefined();

    const laterUser = await run.createUser(run.admin, later, { role: "Member" });
    await run.delivered(ns, "early");
    const settled = await eventually("the controller's owner reference", async () => {
      const token = await run.admin.token(ns, "early");
      return (token?.metadata?.ownerReferences ?? []).length > 0 ? token : undefined;
    });
    expect(settled.metadata?.ownerReferences).toEqual([
      userReference(laterUser.metadata?.uid, later),
    ]);
    expect(controllerOwnedMetadata(settled)).not.toEqual([]);
  });

  it("gives a non-Admin nothing: the create is still refused", async () => {
    const error = await run
      .createToken(eddie, ns, "eddie", { serviceUser: user.metadata?.name ?? "" })
      .catch((e: unknown) => e);
    expectForbidden(error, "is an Admin action");
    expect(await run.admin.token(ns, "eddie")).toBeUndefined();
  });
});
