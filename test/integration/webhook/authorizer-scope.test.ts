// Who reaches the authorization webhook, what the audit log says, and what happens when the
// webhook is down: only requests made with a Service Token are sent to /authorize (the
// matchConditions), each is audited with its Service User and token id, and without the
// webhook they fail closed while the admin and ServiceAccounts carry on.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import { kubeconfigYaml } from "../../../src/devenv/kubeconfig.ts";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { controlPlane, eventually } from "../support/cluster.ts";
import { auditEvents, type AuditEvent } from "../support/audit-log.ts";
import { Api } from "../support/resources.ts";
import { asToken, grantRoleRights, listConfigMaps, refused } from "./authorizer-support.ts";
import { WebhookRun, type DeliveredToken } from "./webhook-run.ts";
import { webhookMetric } from "./webhook-http.ts";
import { startTestWebhook } from "./webhook-support.ts";

const AUTHORIZATIONS = "svctokens_webhook_authorizations_total";
let run: WebhookRun;
let ns: string;
let user: string;
let token: DeliveredToken;
let tokenApi: Api;
let serviceAccount: Api;
let certificateInGroup: Api;

beforeAll(async () => {
  run = await WebhookRun.start();
  ns = await run.namespace("authz-scope");
  await grantRoleRights(ns);
  user = `scoped-${run.run}`;
  await run.createUser(run.admin, user, { role: "Member" });
  await run.createToken(run.admin, ns, "ci", { serviceUser: user });
  token = await run.delivered(ns, "ci");
  tokenApi = await asToken(run, token.value);

  // A ServiceAccount token from the TokenRequest API, and a certificate that claims the
  // Service Users' group without being a token.
  await eventually("the default ServiceAccount", () =>
    run.admin.rest.request("GET", `/api/v1/namespaces/${ns}/serviceaccounts/default`),
  );
  const request = await run.admin.rest.request<{ status: { token: string } }>(
    "POST",
    `/api/v1/namespaces/${ns}/serviceaccounts/default/token`,
    { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: {} },
  );
  const path = join(run.dir, "sa.kubeconfig");
  const caPem = await readFile(controlPlane().caCertFile, "utf8");
  await writeFile(
    path,
    kubeconfigYaml(controlPlane().server, caPem, "sa", { token: request.status.token }),
    { mode: 0o600 },
  );
  serviceAccount = new Api(path);
  certificateInGroup = await run.person(`cert-${run.run}`, undefined, ["svctokens:service-users"]);
}, 240_000);

afterAll(async () => {
  await run?.stop();
}, 240_000);

describe("the authorizer's scope", () => {
  it("is asked about Service Tokens' requests only: never about certificates or ServiceAccounts", async () => {
    const before = await webhookMetric(run.service, AUTHORIZATIONS);
    expect((await listConfigMaps(run.admin, ns)).status).toBe(200);
    expect((await listConfigMaps(new Api(controlPlane().aliceKubeconfig), ns)).status).toBe(403);
    expect((await listConfigMaps(serviceAccount, ns)).status).toBe(403);
    // In the Member's role group by certificate, yet no token id: RBAC alone decides.
    expect((await listConfigMaps(certificateInGroup, ns)).status).toBe(403);
    expect(await webhookMetric(run.service, AUTHORIZATIONS)).toBe(before);

    expect((await listConfigMaps(tokenApi, ns)).status).toBe(200);
    expect(await webhookMetric(run.service, AUTHORIZATIONS)).toBe(before + 1);
    expect(
      await webhookMetric(run.service, AUTHORIZATIONS, {
        decision: "no-opinion",
        reason: "current",
      }),
    ).toBeGreaterThanOrEqual(1);
  });
});

describe("the audit log", () => {
  it("names the Service User and the token of every request made with it, and nobody else", async () => {
    const marker = `audit-${run.run}`;
    const uri = `/api/v1/namespaces/${ns}/configmaps?labelSelector=${marker}`;
    await tokenApi.rest.request("GET", uri);
    await run.admin.rest.request("GET", uri);
    const events = await eventually("the token's request in the audit log", async () => {
      const found = (await auditEvents()).filter((e) => e.requestURI === uri);
      return found.length > 0 ? found : undefined;
    });
    expect(events).toHaveLength(1); // the admin's request is not logged (level None)
    const [event] = events as [AuditEvent];
    expect(event).toMatchObject({
      level: "Metadata",
      stage: "ResponseComplete",
      verb: "list",
      responseStatus: { code: 200 },
      user: {
        username: `${user}@service`,
        extra: {
          "svctokens.dev/token-id": [token.tokenId],
          "svctokens.dev/token-name": ["ci"],
          "svctokens.dev/token-namespace": [ns],
          // KEP-4193: kube-apiserver keeps the credential id a webhook authenticator sets.
          "authentication.kubernetes.io/credential-id": [`svctokens-token-id=${token.tokenId}`],
        },
      },
    });
    expect(event.user.groups).toEqual(
      expect.arrayContaining(["svctokens:service-users", "svctokens:role:member"]),
    );
  });
});

describe("with the webhook down", () => {
  it("refuses Service Tokens (fail closed) while the admin and ServiceAccounts carry on", async () => {
    expect((await listConfigMaps(tokenApi, ns)).status).toBe(200);
    await run.service.stop();
    try {
      // The very next request is refused: while kube-apiserver still holds the authentication,
      // the authorizer fails (failurePolicy Deny with an error, which kube-apiserver answers
      // with 500); after that its authenticator refuses (401). Never a success.
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(await listConfigMaps(tokenApi, ns));
      process.stderr.write(
        `[authorizer] webhook down: a token's requests got ${answers.map((a) => a.status).join(", ")}\n`,
      );
      expect(answers.filter((a) => !refused(a) && a.status !== 500)).toEqual([]);
      expect((await listConfigMaps(run.admin, ns)).status).toBe(200);
      expect((await listConfigMaps(serviceAccount, ns)).status).toBe(403); // RBAC, not an error
      expect((await listConfigMaps(certificateInGroup, ns)).status).toBe(403);
    } finally {
      // Teardown needs admission: the same port, a fresh serving certificate from the same CA.
      run.webhook = await startTestWebhook(pino({ level: "silent" }));
    }
    await expect
      .poll(async () => (await listConfigMaps(tokenApi, ns)).status, { timeout: 60_000 })
      .toBe(200);
  });
});
