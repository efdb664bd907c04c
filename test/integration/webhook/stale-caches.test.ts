// kube-apiserver goes away while the webhook serves (here: the only road to it is cut). The
// webhook keeps answering from its caches while they lag less than the staleness bound, and
// says so (log field, counter); past the bound it is not ready and refuses to decide (503,
// fail closed); once the road is back it catches up and decides again. Before, /readyz stayed
// 200 and tokens kept authenticating from a cache that no longer followed the cluster.
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startLocalWebhook, type LocalWebhook } from "../../../src/devenv/local-operator.ts";
import { controlPlane } from "../support/cluster.ts";
import { startTcpProxy, type CuttableProxy } from "../support/tcp-proxy.ts";
import { callWebhook, tokenReview, webhookMetric } from "./webhook-http.ts";
import { WebhookRun, type DeliveredToken } from "./webhook-run.ts";

const BOUND_MS = 4_000;

let run: WebhookRun;
let token: DeliveredToken;
let proxy: CuttableProxy;
let webhook: LocalWebhook;
const logLines: Record<string, unknown>[] = [];

beforeAll(async () => {
  run = await WebhookRun.start();
  const ns = await run.namespace("stale");
  const user = `stale-${run.run}`;
  await run.createUser(run.admin, user, { role: "Member" });
  await run.createToken(run.admin, ns, "ci", { serviceUser: user });
  token = await run.delivered(ns, "ci");

  const info = controlPlane();
  proxy = await startTcpProxy(new URL(info.server));
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) {
        logLines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  // A second service next to the run's, on a free port, reaching the API only via the proxy.
  webhook = await startLocalWebhook(
    { ...info, webhookPort: 0 },
    { log: pino(sink), apiServer: proxy.url, maxCacheStalenessMs: BOUND_MS },
  );
}, 180_000);

afterAll(async () => {
  await webhook?.stop();
  await proxy?.stop();
  await run?.stop();
}, 240_000);

async function authenticate(): Promise<{ status: number; authenticated?: boolean }> {
  const answer = await callWebhook(webhook, {
    method: "POST",
    path: "/authenticate",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(tokenReview(token.value)),
  });
  if (answer.status !== 200) return { status: answer.status };
  const review = JSON.parse(answer.text) as { status: { authenticated: boolean } };
  return { status: 200, authenticated: review.status.authenticated };
}

// Probes are served on the plain-HTTP metrics port, not next to /authenticate.
const readyz = async (): Promise<number> => (await fetch(`${webhook.metricsUrl}/readyz`)).status;

const staleDecisions = (outcome: "served" | "refused"): Promise<number> =>
  webhookMetric(webhook, "svctokens_webhook_stale_cache_decisions_total", { outcome });

it("answers from lagging caches within the bound, saying so, then fails closed, then recovers", async () => {
  expect(await authenticate()).toEqual({ status: 200, authenticated: true });
  expect(await readyz()).toBe(200);
  expect(await staleDecisions("served")).toBe(0);

  proxy.cut();
  // Within the bound: still decided from the caches, flagged as stale in metrics and logs.
  await expect
    .poll(async () => ((await authenticate()).authenticated ? staleDecisions("served") : 0), {
      timeout: BOUND_MS,
      interval: 100,
    })
    .toBeGreaterThan(0);
  const flagged = logLines.filter(
    (line) => line.msg === "token authenticated" && typeof line.cacheStaleSeconds === "number",
  );
  expect(flagged.length).toBeGreaterThan(0);
  expect(flagged[0]).toMatchObject({ tokenId: token.tokenId });

  // Past the bound: not ready, and no decision from a cache that stopped following.
  await expect.poll(readyz, { timeout: 30_000 }).toBe(503);
  expect(await authenticate()).toEqual({ status: 503 });
  expect(await staleDecisions("refused")).toBeGreaterThan(0);
  expect(run.webhook?.service.isReady()).toBe(true); // the run's own service never lost the API

  proxy.restore();
  await expect.poll(readyz, { timeout: 90_000, interval: 250 }).toBe(200);
  expect(await authenticate()).toEqual({ status: 200, authenticated: true });
}, 180_000);
