// The webhook service runs under its own identity, the ServiceAccount svctokens-webhook, with
// only the RBAC shipped in deploy/manifests/webhook-rbac.yaml: it reads Secrets in its own
// namespace only, reads our resources, patches token status, asks SubjectAccessReviews, and
// nothing else. Yet it is ready, authenticates for kube-apiserver and writes last used.
import { afterAll, beforeAll, expect, it } from "vitest";
import { KubeApiError } from "../../../src/k8s/errors.ts";
import { kubectl } from "../support/kubectl.ts";
import { OPERATOR_NAMESPACE, webhookKubeconfig } from "../support/operator.ts";
import { Api } from "../support/resources.ts";
import { WebhookRun, type DeliveredToken } from "./webhook-run.ts";
import { tokenKubeconfig } from "./webhook-support.ts";

const IDENTITY = `system:serviceaccount:${OPERATOR_NAMESPACE}:svctokens-webhook`;
let run: WebhookRun;
let ns: string;
let other: string;
let token: DeliveredToken;
// The same identity the running service was started with (startLocalWebhook issues a client
// certificate for this ServiceAccount and nothing else), in the same kubeconfig file.
let kubeconfig: string;

beforeAll(async () => {
  run = await WebhookRun.start();
  ns = await run.namespace("identity");
  other = await run.namespace("identity-other");
  await run.admin.rest.request("POST", `/api/v1/namespaces/${other}/secrets`, {
    metadata: { name: "not-yours" },
    stringData: { password: "hunter2" },
  });
  const user = `id-${run.run}`;
  await run.createUser(run.admin, user, { role: "Member" });
  await run.createToken(run.admin, ns, "ci", { serviceUser: user });
  token = await run.delivered(ns, "ci");
  kubeconfig = await webhookKubeconfig();
}, 180_000);

afterAll(async () => {
  await run?.stop();
}, 240_000);

it("is its ServiceAccount, not a cluster-admin", async () => {
  const result = await kubectl(kubeconfig, ["auth", "whoami", "-o", "json"]);
  const user = (JSON.parse(result.stdout) as { status: { userInfo: Record<string, unknown> } })
    .status.userInfo;
  expect(user.username).toBe(IDENTITY);
  expect(user.groups).not.toContain("system:masters");
});

it("cannot read a Secret in another namespace", async () => {
  const error = await new Api(kubeconfig).secret(other, "not-yours").catch((e: unknown) => e);
  expect(error).toBeInstanceOf(KubeApiError);
  expect(error).toMatchObject({ status: 403 });
  expect((error as Error).message).toContain(
    `User "${IDENTITY}" cannot get resource "secrets" in API group "" in the namespace "${other}"`,
  );
});

/** [what RBAC is asked, the answer the shipped RBAC must give] */
const RIGHTS: [string[], "yes" | "no"][] = [
  [["list", "secrets", "-n", "OTHER"], "no"],
  [["list", "secrets", "--all-namespaces"], "no"],
  [["watch", "secrets", "-n", OPERATOR_NAMESPACE], "yes"],
  [["create", "secrets", "-n", OPERATOR_NAMESPACE], "no"],
  [["delete", "secrets", "-n", OPERATOR_NAMESPACE], "no"],
  [["watch", "servicetokens.svctokens.dev", "--all-namespaces"], "yes"],
  [["watch", "serviceusers.svctokens.dev"], "yes"],
  [["patch", "servicetokens.svctokens.dev", "--subresource=status", "-n", "OTHER"], "yes"],
  [["patch", "servicetokens.svctokens.dev", "-n", "OTHER"], "no"],
  [["create", "servicetokens.svctokens.dev", "-n", "OTHER"], "no"],
  [["patch", "serviceusers.svctokens.dev", "--subresource=status"], "no"],
  [["delete", "serviceusers.svctokens.dev"], "no"],
  [["create", "subjectaccessreviews.authorization.k8s.io"], "yes"],
  [["create", "pods", "-n", "OTHER"], "no"],
  [["*", "*", "--all-namespaces"], "no"],
];

it.each(RIGHTS)("kubectl auth can-i %j → %s", async (args, answer) => {
  const result = await kubectl(kubeconfig, [
    "auth",
    "can-i",
    ...args.map((arg) => (arg === "OTHER" ? other : arg)),
  ]);
  expect(result.stdout.trim()).toBe(answer);
});

it("is ready, authenticates for kube-apiserver and writes last used with those rights", async () => {
  expect(run.service.service.isReady()).toBe(true);
  expect((await fetch(`${run.service.metricsUrl}/readyz`)).status).toBe(200);
  const whoami = await kubectl(await tokenKubeconfig(run.dir, token.value), ["auth", "whoami"]);
  expect(whoami.code).toBe(0);
  expect(whoami.stdout).toContain(`id-${run.run}@service`);
  await run.admin.tokenWhere(ns, "ci", "lastUsedAt", (t) => t.status?.lastUsedAt !== undefined);
});
