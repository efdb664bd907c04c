// Finding 7 of issue 9: TokenReview v1beta1 was refused with 400, yet it is kube-apiserver's
// default `--authentication-token-webhook-version` and what Pinniped sends. A second
// kube-apiserver, started with `--authentication-token-webhook-version=v1beta1` and the same
// CAs, calls a webhook service of the shared cluster; a Service Token authenticates through it.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { LocalControlPlane } from "../../../src/devenv/controlplane.ts";
import { kubeconfigYaml } from "../../../src/devenv/kubeconfig.ts";
import { startLocalWebhook, type LocalWebhook } from "../../../src/devenv/local-operator.ts";
import { freeLoopbackPort } from "../../../src/devenv/ports.ts";
import { controlPlane } from "../support/cluster.ts";
import { kubectl } from "../support/kubectl.ts";
import { WebhookRun, type DeliveredToken } from "./webhook-run.ts";
import { webhookMetric } from "./webhook-http.ts";

let run: WebhookRun;
let token: DeliveredToken;
let side: LocalWebhook | undefined;
let v1beta1: LocalControlPlane | undefined;

beforeAll(async () => {
  run = await WebhookRun.start();
  const ns = await run.namespace("v1beta1");
  await run.createUser(run.admin, `beta-${run.run}`, { role: "Member" });
  await run.createToken(run.admin, ns, "ci", { serviceUser: `beta-${run.run}` });
  token = await run.delivered(ns, "ci");
  // A webhook service of the shared cluster, on a port the second kube-apiserver calls.
  const info = controlPlane();
  const port = await freeLoopbackPort();
  side = await startLocalWebhook(
    { ...info, webhookPort: port },
    { log: pino({ level: "silent" }) },
  );
  v1beta1 = await LocalControlPlane.start({
    webhookPort: port,
    tokenWebhookVersion: "v1beta1",
    sharePkiWith: info,
  });
}, 240_000);

afterAll(async () => {
  await v1beta1?.stop();
  await side?.stop();
  await run?.stop();
}, 240_000);

it("authenticates a Service Token for a kube-apiserver that sends TokenReview v1beta1", async () => {
  const server = v1beta1?.info.server ?? "";
  const caPem = await readFile(controlPlane().caCertFile, "utf8");
  const kubeconfig = join(run.dir, "v1beta1-token.kubeconfig");
  await writeFile(
    kubeconfig,
    kubeconfigYaml(server, caPem, "service-user", { token: token.value }),
    {
      mode: 0o600,
    },
  );
  const whoami = await kubectl(kubeconfig, ["auth", "whoami", "-o", "json"]);
  expect(whoami.code, whoami.stderr).toBe(0);
  const review = JSON.parse(whoami.stdout) as {
    status: { userInfo: { username: string; groups: string[] } };
  };
  expect(review.status.userInfo.username).toBe(`beta-${run.run}@service`);
  expect(review.status.userInfo.groups).toContain("svctokens:role:member");
  if (!side) throw new Error("no webhook service");
  const success = { endpoint: "authenticate", result: "success" };
  expect(await webhookMetric(side, "svctokens_webhook_authentications_total", success)).toBe(1);
  expect(
    await webhookMetric(side, "svctokens_webhook_rejected_requests_total", {
      route: "authenticate",
    }),
  ).toBe(0);
});
