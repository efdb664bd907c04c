// Finding 4 of issue 9, attacked: /authenticate and /validate answered anyone who reached the
// port (an oracle for "is X an Admin", one SubjectAccessReview per made-up username), accepted
// any client certificate from the cluster CA, and served /metrics next to them. The webhook
// runs as shipped: the dedicated client CA, the pinned name "kube-apiserver", the Admin-check
// rate limit, probes and metrics on their own plain-HTTP port.
import { readFile } from "node:fs/promises";
import { Agent } from "node:https";
import { pino } from "pino";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config.ts";
import type { KeyPairPem } from "../../../src/tls/pki.ts";
import { addUser } from "../support/cluster.ts";
import { apiserverWrites } from "../support/bulk.ts";
import { kubectl } from "../support/kubectl.ts";
import { WebhookRun, type DeliveredToken } from "./webhook-run.ts";
import {
  authenticatorClientCertificate,
  callWebhook,
  tokenReview,
  webhookClientCaCertificate,
  webhookMetric,
  type WebhookAnswer,
  type WebhookCall,
} from "./webhook-http.ts";
import { startTestWebhook, tokenKubeconfig, type TestWebhook } from "./webhook-support.ts";

const SHIPPED = loadConfig({});
let run: WebhookRun;
let token: DeliveredToken;
/** An ordinary user's certificate from the cluster CA, even named like kube-apiserver. */
let clusterCaUser: KeyPairPem;
/** The client CA's certificate for another name. */
let otherName: KeyPairPem;

/** The client certificate of a kubeconfig written by the control plane's addUser. */
async function certificateOf(kubeconfig: string): Promise<KeyPairPem> {
  const config = parse(await readFile(kubeconfig, "utf8")) as {
    users: { user: Record<string, string> }[];
  };
  const user = config.users[0]?.user ?? {};
  const pem = (key: string): string => Buffer.from(user[key] ?? "", "base64").toString();
  return { certPem: pem("client-certificate-data"), keyPem: pem("client-key-data") };
}

/** An AdmissionReview of `username` creating an Admin ServiceUser: it needs an Admin check. */
function adminQuestion(username: string): string {
  const name = `oracle-${run.run}`;
  return JSON.stringify({
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid: `probe-${username}`,
      kind: { group: "svctokens.dev", version: "v1alpha1", kind: "ServiceUser" },
      resource: { group: "svctokens.dev", version: "v1alpha1", resource: "serviceusers" },
      name,
      operation: "CREATE",
      userInfo: { username, groups: ["system:authenticated"] },
      object: { metadata: { name }, spec: { role: "Admin" } },
    },
  });
}

const post = (path: string, body: string, extra: Partial<WebhookCall> = {}): WebhookCall => ({
  method: "POST",
  path,
  headers: { "Content-Type": "application/json" },
  body,
  ...extra,
});

/** SubjectAccessReviews kube-apiserver has answered so far (its own counter). */
const accessReviews = (): Promise<number> => apiserverWrites(run.admin, ["subjectaccessreviews"]);

beforeAll(async () => {
  run = await WebhookRun.start();
  const ns = await run.namespace("apiserver-only");
  const user = `ao-${run.run}`;
  await run.createUser(run.admin, user, { role: "Member" });
  await run.createToken(run.admin, ns, "ci", { serviceUser: user });
  token = await run.delivered(ns, "ci");
  clusterCaUser = await certificateOf(await addUser({ name: "kube-apiserver", groups: [] }));
  otherName = await webhookClientCaCertificate(`not-kube-apiserver-${run.run}`);
}, 180_000);

afterAll(async () => {
  await run?.stop();
}, 240_000);

describe("a caller that is not kube-apiserver", () => {
  it("without a certificate: /validate refuses before any SubjectAccessReview (no oracle)", async () => {
    const before = await accessReviews();
    const asked = await webhookMetric(run.service, "svctokens_webhook_admin_checks_total");
    const answers: WebhookAnswer[] = [];
    for (let i = 0; i < 20; i += 1) {
      const body = adminQuestion(`made-up-${i}-${run.run}`);
      answers.push(await callWebhook(run.service, post("/validate", body, { clientCert: false })));
    }
    expect(answers.map((a) => a.status)).toEqual(Array<number>(20).fill(401));
    expect(answers.every((a) => !a.text.includes("Admin"))).toBe(true);
    expect(await webhookMetric(run.service, "svctokens_webhook_admin_checks_total")).toBe(asked);
    expect(await accessReviews()).toBe(before);
  });

  it.each<[string, () => KeyPairPem | false, number]>([
    ["no certificate", () => false, 401],
    [
      "an ordinary user's certificate from the cluster CA (CN kube-apiserver)",
      () => clusterCaUser,
      401,
    ],
    ["the client CA's certificate for another name", () => otherName, 403],
  ])("with %s: refused at /authenticate and /validate", async (_case, cert, status) => {
    const before = await accessReviews();
    const clientCert = cert();
    const review = await callWebhook(
      run.service,
      post("/authenticate", JSON.stringify(tokenReview(token.value)), { clientCert }),
    );
    expect(review.status).toBe(status);
    expect(review.text).not.toContain("@service");
    const validate = await callWebhook(
      run.service,
      post("/validate", adminQuestion(`someone-${run.run}`), { clientCert }),
    );
    expect(validate.status).toBe(status);
    expect(await accessReviews()).toBe(before);
  });

  it("still reaches /verify, which gateways call without a client certificate", async () => {
    const answer = await callWebhook(run.service, {
      path: "/verify",
      headers: { Authorization: `Bearer ${token.value}` },
      clientCert: false,
    });
    expect(answer.status).toBe(200);
  });
});

describe("kube-apiserver", () => {
  it("still authenticates tokens and sends admission with its pinned certificate", async () => {
    const whoami = await kubectl(await tokenKubeconfig(run.dir, token.value), ["auth", "whoami"]);
    expect(whoami.code, whoami.stderr).toBe(0);
    expect(whoami.stdout).toContain(`ao-${run.run}@service`);
    // Admission through kube-apiserver: allowed for the admin, so /validate was reached.
    const allowed = await run.createUser(run.admin, `ao-admitted-${run.run}`, { role: "Member" });
    expect(allowed.metadata?.name).toBe(`ao-admitted-${run.run}`);
    expect(
      await webhookMetric(run.service, "svctokens_webhook_admission_decisions_total", {
        resource: "serviceusers",
        operation: "CREATE",
        allowed: "true",
      }),
    ).toBeGreaterThanOrEqual(1);
  });
});

describe("the Admin-check rate limit", () => {
  let side: TestWebhook;
  beforeAll(async () => {
    // The shipped burst; a refill so slow that none lands while the test runs.
    side = await startTestWebhook(pino({ level: "silent" }), 60_000, {
      sidePort: true,
      adminChecksPerSecond: 0.0001,
    });
  }, 60_000);
  afterAll(async () => {
    await side?.stop();
  });

  it("500 made-up requesters from kube-apiserver's certificate cost at most the burst", async () => {
    const cert = await authenticatorClientCertificate();
    const agent = new Agent({
      keepAlive: true,
      maxSockets: 16,
      ca: side.caPem,
      cert: cert.certPem,
      key: cert.keyPem,
    });
    const before = await accessReviews();
    try {
      const answers = await Promise.all(
        Array.from({ length: 500 }, (_, i) =>
          callWebhook(side, post("/validate", adminQuestion(`flood-${i}-${run.run}`), { agent })),
        ),
      );
      expect(answers.every((a) => a.status === 200)).toBe(true);
      const messages = answers.map(
        (a) => (JSON.parse(a.text) as { response: { status?: { message?: string } } }).response,
      );
      const throttled = messages.filter((r) => r.status?.message?.includes("(rate limit)"));
      expect(throttled.length).toBeGreaterThanOrEqual(500 - SHIPPED.SVCTOKENS_ADMIN_CHECK_BURST);
    } finally {
      agent.destroy();
    }
    const asked = { outcome: "asked" };
    expect(await webhookMetric(side, "svctokens_webhook_admin_checks_total", asked)).toBe(
      SHIPPED.SVCTOKENS_ADMIN_CHECK_BURST,
    );
    expect(
      await webhookMetric(side, "svctokens_webhook_admin_checks_total", { outcome: "throttled" }),
    ).toBe(500 - SHIPPED.SVCTOKENS_ADMIN_CHECK_BURST);
    expect((await accessReviews()) - before).toBeLessThanOrEqual(
      SHIPPED.SVCTOKENS_ADMIN_CHECK_BURST,
    );
  });
});

describe("metrics and probes", () => {
  it("are not on the HTTPS port, even for kube-apiserver's certificate", async () => {
    for (const path of ["/metrics", "/healthz", "/readyz"]) {
      expect((await callWebhook(run.service, { path })).status, path).toBe(404);
    }
  });

  it("are served on the plain-HTTP metrics port", async () => {
    const metrics = await fetch(`${run.service.metricsUrl}/metrics`);
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toContain("svctokens_webhook_authentications_total");
    // Its own requests to kube-apiserver, as the controller counts its own: the informers' lists.
    expect(text).toMatch(
      /svctokens_webhook_api_requests_total\{verb="GET",resource="servicetokens",code="200"\} [1-9]/,
    );
    expect((await fetch(`${run.service.metricsUrl}/readyz`)).status).toBe(200);
    expect((await fetch(`${run.service.metricsUrl}/healthz`)).status).toBe(200);
  });
});
