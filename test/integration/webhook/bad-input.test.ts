// Malformed and hostile requests to the running service wired to the real cluster (caches fed
// by kube-apiserver, Admin checks asked of RBAC): each gets a clear 4xx, `authenticated: false`
// or a denial, never the token echoed back, and afterwards the service still authenticates a
// good token, directly and for kube-apiserver. The requests are in bad-input-requests.ts.
import { afterAll, beforeAll, expect, it } from "vitest";
import { kubectl } from "../support/kubectl.ts";
import { HOSTILE, target } from "./bad-input-requests.ts";
import { WebhookRun } from "./webhook-run.ts";
import { authenticateDirect, webhookMetric } from "./webhook-http.ts";
import { tokenKubeconfig } from "./webhook-support.ts";

let run: WebhookRun;

beforeAll(async () => {
  run = await WebhookRun.start();
  const ns = await run.namespace("bad-input");
  await run.createUser(run.admin, `bi-${run.run}`, { role: "Member" });
  await run.createToken(run.admin, ns, "good", { serviceUser: `bi-${run.run}` });
  target.service = run.service;
  target.suffix = run.run;
  target.good = (await run.delivered(ns, "good")).value;
}, 180_000);

afterAll(async () => {
  await run?.stop();
}, 240_000);

it("tries at least 30 of them", () => {
  expect(HOSTILE.length).toBeGreaterThanOrEqual(30);
});

it.each(HOSTILE)("%s", async (_what, send, status, body) => {
  const answer = await send();
  expect(answer.status).toBe(status);
  expect(answer.text).not.toContain(target.good);
  expect(answer.text).not.toMatch(/at .*\.ts:\d+|node_modules|Error:/);
  // No identity comes back: not in the headers, nor in a raw answer's header block.
  expect(answer.headers?.["x-auth-request-user"]).toBeUndefined();
  expect(answer.text.toLowerCase()).not.toContain("x-auth-request-user");
  if (body !== undefined) expect(JSON.parse(answer.text)).toMatchObject(body as object);
  // The service's own refusals carry a short Status; 401s and the HTTP parser's are bare.
  if (answer.headers && status >= 400 && ![401, 431].includes(status)) {
    expect(JSON.parse(answer.text)).toMatchObject({ kind: "Status", code: status });
  }
});

it("still authenticates a good token afterwards, directly and for kube-apiserver", async () => {
  expect((await fetch(`${run.service.metricsUrl}/readyz`)).status).toBe(200);
  expect(await authenticateDirect(run.service, target.good)).toMatchObject({
    authenticated: true,
  });
  const whoami = await kubectl(await tokenKubeconfig(run.dir, target.good), ["auth", "whoami"]);
  expect(whoami.code).toBe(0);
  expect(whoami.stdout).toContain(`bi-${run.run}@service`);
  // Look-alikes are dropped by shape and checksum, before any lookup.
  const malformed = { endpoint: "authenticate", reason: "malformed" };
  expect(
    await webhookMetric(run.service, "svctokens_webhook_authentications_total", malformed),
  ).toBeGreaterThanOrEqual(5);
});
