// Planting Secrets the way an attacker would: as a user whose only right is to write Secrets in
// one namespace, choosing every field — our labels, an owner reference to the token, even the
// controller's field manager name (field managers are chosen by the client).
import { expect } from "vitest";
import { CONTROLLER_FIELD_MANAGER } from "../../../src/api/index.ts";
import { ANNOTATION_CREATED_AT, ANNOTATION_EXPIRES_AT } from "../../../src/domain/hash-record.ts";
import { SECRETS, resourcePath, withQuery } from "../../../src/k8s/paths.ts";
import { hashToken, tokenIdFromHash } from "../../../src/tokens/index.ts";
import { eventually } from "../support/cluster.ts";
import { OPERATOR_NAMESPACE } from "../support/operator.ts";
import { Api, readyCondition, type TestObject } from "../support/resources.ts";
import { verifyDirect, authenticateDirect } from "./webhook-http.ts";
import type { WebhookRun } from "./webhook-run.ts";

export const FAR_FUTURE = "2099-01-01T00:00:00Z";
export const MANAGED_BY = { "app.kubernetes.io/managed-by": "svctokens" };

/** A person who may create, read and change Secrets in `namespace`, and nothing else. */
export async function secretWriter(run: WebhookRun, namespace: string, who: string): Promise<Api> {
  const role = await run.clusterRole("svctokens-test-secret-writer", [
    {
      apiGroups: [""],
      resources: ["secrets"],
      verbs: ["get", "list", "create", "update", "patch"],
    },
  ]);
  const name = `${who}-${run.run}`;
  await run.admin.rest.request(
    "POST",
    `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/rolebindings`,
    {
      metadata: { name: `svctokens-test-${name}`, labels: run.labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name }],
    },
  );
  const api = await run.person(name);
  await eventually(`${name} to be allowed to create Secrets in ${namespace}`, async () => {
    const list = await api.rest
      .request("GET", resourcePath(SECRETS, { namespace }))
      .catch(() => undefined);
    return list === undefined ? undefined : true;
  });
  return api;
}

/** Creates `secret` as `api`, naming the field manager the attacker chose. */
export async function plant(
  api: Api,
  namespace: string,
  secret: Record<string, unknown>,
  fieldManager = CONTROLLER_FIELD_MANAGER,
): Promise<TestObject> {
  const path = withQuery(resourcePath(SECRETS, { namespace }), { fieldManager });
  return api.rest.request<TestObject>("POST", path, {
    apiVersion: "v1",
    kind: "Secret",
    ...secret,
  });
}

/** A planted hash record holding `value`'s hash, pointing at `token`, dated 2099. */
export function plantedRecord(
  name: string,
  token: TestObject,
  value: string,
  extraLabels: Record<string, string> = {},
): Record<string, unknown> {
  const hash = hashToken(value);
  const uid = token.metadata?.uid ?? "";
  return {
    metadata: {
      name,
      namespace: OPERATOR_NAMESPACE,
      labels: {
        ...MANAGED_BY,
        "svctokens.dev/token-namespace": token.metadata?.namespace ?? "",
        "svctokens.dev/token-name": token.metadata?.name ?? "",
        "svctokens.dev/token-uid": uid,
        "svctokens.dev/token-id": tokenIdFromHash(hash),
        ...extraLabels,
      },
      annotations: { [ANNOTATION_CREATED_AT]: FAR_FUTURE, [ANNOTATION_EXPIRES_AT]: FAR_FUTURE },
    },
    type: "svctokens.dev/token-hash",
    stringData: { tokenHash: hash },
  };
}

/** What the webhook answers for `value` at /verify and /authenticate. */
export async function answers(
  run: WebhookRun,
  value: string,
): Promise<{ verify: number; authenticated: boolean; groups?: string }> {
  const [verify, review] = await Promise.all([
    verifyDirect(run.service, value),
    authenticateDirect(run.service, value),
  ]);
  return {
    verify: verify.status,
    authenticated: review.authenticated,
    ...(verify.groups ? { groups: verify.groups } : {}),
  };
}

/** Asserts `value` authenticates nowhere. */
export async function expectRefused(run: WebhookRun, value: string): Promise<void> {
  expect(await answers(run, value)).toEqual({ verify: 401, authenticated: false });
}

/** Waits for the token's Ready=False with `reason`, and returns the token. */
export async function readyReason(
  run: WebhookRun,
  namespace: string,
  name: string,
  reason: string,
): Promise<TestObject> {
  return run.admin.tokenWhere(namespace, name, reason, (t) => readyCondition(t)?.reason === reason);
}

/** Waits for a Warning Event `reason` about the token. */
export async function warningEvent(
  run: WebhookRun,
  namespace: string,
  name: string,
  reason: string,
): Promise<void> {
  await run.admin.eventAbout(namespace, name, reason, "Warning");
}

/**
 * A barrier on the hash-record watch: a new token generated after the plants authenticates only
 * once the webhook has processed every earlier event of that watch — the plants included.
 */
export async function webhookHasSeenRecordsUpTo(
  run: WebhookRun,
  namespace: string,
  serviceUser: string,
): Promise<void> {
  const name = `barrier-${Math.random().toString(36).slice(2, 8)}`;
  await run.createToken(run.admin, namespace, name, { serviceUser });
  const { value } = await run.delivered(namespace, name);
  await eventually("the barrier token to authenticate", async () =>
    (await verifyDirect(run.service, value)).status === 200 ? true : undefined,
  );
}
