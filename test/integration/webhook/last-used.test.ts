// Last used, on the real cluster: every successful authentication is a use, noted in memory and
// written to status.lastUsedAt by the flusher, at most once per token per flush. The flush is
// triggered by the test (the service runs with an hour-long interval), so what is counted does
// not depend on how fast this machine is; the interval timing itself is a fake-clock unit test
// (test/unit/webhook/authn/last-used.test.ts). The uses go straight to the service over HTTPS,
// as kube-apiserver and gateways send them: kube-apiserver's own 10 s cache would swallow most.
import { pino } from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { SERVICE_TOKENS } from "../../../src/api/index.ts";
import { resourcePath } from "../../../src/k8s/paths.ts";
import { truncateToSecond } from "../../../src/k8s/time.ts";
import { inParallel } from "../support/bulk.ts";
import { WebhookRun, type DeliveredToken } from "./webhook-run.ts";
import { authenticateDirect, verifyDirect, webhookAgent, webhookMetric } from "./webhook-http.ts";
import { startTestWebhook, watchObject, type TestWebhook } from "./webhook-support.ts";

const HOUR_MS = 3_600_000;
const USES = 1_000;
const WRITES = "svctokens_webhook_last_used_writes_total";

let run: WebhookRun;
let ns: string;
let busy: DeliveredToken;
let fresh: DeliveredToken;

const outcomes = (webhook: TestWebhook, outcome: string): Promise<number> =>
  webhookMetric(webhook, WRITES, { outcome });
const lastUsedAt = async (name: string): Promise<string | undefined> =>
  (await run.admin.token(ns, name))?.status?.lastUsedAt as string | undefined;

/** Authenticates `value` `count` times, half as kube-apiserver asks, half as a gateway does. */
async function use(webhook: TestWebhook, value: string, count: number): Promise<number> {
  const agent = await webhookAgent(webhook);
  let succeeded = 0;
  try {
    await inParallel(count, 20, async (i) => {
      const ok =
        i % 2 === 0
          ? (await authenticateDirect(webhook, value, agent)).authenticated
          : (await verifyDirect(webhook, value, agent)).status === 200;
      if (ok) succeeded += 1;
    });
  } finally {
    agent.destroy();
  }
  return succeeded;
}

beforeAll(async () => {
  run = await WebhookRun.start({ lastUsedFlushMs: HOUR_MS });
  ns = await run.namespace("last-used");
  const user = `lu-${run.run}`;
  await run.createUser(run.admin, user, { role: "Member" });
  await run.createToken(run.admin, ns, "busy", { serviceUser: user });
  await run.createToken(run.admin, ns, "fresh", { serviceUser: user });
  [busy, fresh] = await Promise.all([run.delivered(ns, "busy"), run.delivered(ns, "fresh")]);
}, 180_000);

afterAll(async () => {
  await run?.stop();
}, 240_000);

it(`writes status once for ${USES + 10} authentications of one token, then not again`, async () => {
  const webhook = run.service;
  expect(await lastUsedAt("busy")).toBeUndefined(); // "never used"
  const token = await run.admin.token(ns, "busy");
  const watch = await watchObject(
    run.admin,
    resourcePath(SERVICE_TOKENS, { namespace: ns }),
    "busy",
    token?.metadata?.resourceVersion ?? "",
  );
  const writtenBefore = await outcomes(webhook, "written");
  const skippedBefore = await outcomes(webhook, "skipped");

  expect(await use(webhook, busy.value, USES)).toBe(USES);
  // A later second's uses, served from the kept success and counted there (record 91): the
  // write is the latest use's second, not the first uses' (noted one by one).
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  const lastSecond = truncateToSecond(Date.now());
  expect(await use(webhook, busy.value, 10)).toBe(10);
  const lastUse = Date.now();
  await webhook.service.flushLastUsed();
  await expect.poll(() => lastUsedAt("busy")).toBeDefined();
  const at = Date.parse((await lastUsedAt("busy")) ?? "");
  expect(at).toBeGreaterThanOrEqual(lastSecond);
  expect(at).toBeLessThanOrEqual(lastUse);
  expect((await outcomes(webhook, "written")) - writtenBefore).toBe(1);

  // More uses within the tolerance (half the interval): the next flush finds them covered.
  expect(await use(webhook, busy.value, 200)).toBe(200);
  await webhook.service.flushLastUsed();
  expect((await outcomes(webhook, "written")) - writtenBefore).toBe(1);
  expect((await outcomes(webhook, "skipped")) - skippedBefore).toBe(1);

  // Nothing pending: a flush writes nothing.
  await webhook.service.flushLastUsed();
  expect((await outcomes(webhook, "written")) - writtenBefore).toBe(1);

  // The token's own watch agrees: exactly one change of status.lastUsedAt.
  await expect.poll(() => watch.modified.length).toBeGreaterThanOrEqual(1);
  watch.stop();
  expect(watch.ended()).toBe(false);
  const changes = watch.modified.filter(
    (object, i, all) => object.status?.lastUsedAt !== all[i - 1]?.status?.lastUsedAt,
  ).length;
  expect(changes).toBe(1);
  expect(watch.modified).toHaveLength(1);
});

it("flushes pending uses when the service stops", async () => {
  // A second service with an hour-long interval: only its stop can write this use.
  const side = await startTestWebhook(pino({ level: "silent" }), HOUR_MS, { sidePort: true });
  try {
    expect(await lastUsedAt("fresh")).toBeUndefined();
    expect((await verifyDirect(side, fresh.value)).status).toBe(200);
    expect(await outcomes(side, "written")).toBe(0);
    expect(await lastUsedAt("fresh")).toBeUndefined();
  } finally {
    await side.stop();
  }
  // stop() resolves after the flush: the write is there, no waiting.
  expect(await lastUsedAt("fresh")).toBeDefined();
  expect(await outcomes(side, "written")).toBe(1);
});
