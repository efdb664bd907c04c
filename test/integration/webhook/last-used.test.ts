// Last used, on the real cluster: every successful authentication is a use, noted in memory and
// written to status.lastUsedAt at most once per token per flush interval (60 s, the default,
// set explicitly here). The uses go straight to the service over HTTPS, as kube-apiserver and
// gateways send them: kube-apiserver's own 10 s cache would swallow most of them.
import { pino } from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { resourcePath } from "../../../src/k8s/paths.ts";
import { truncateToSecond } from "../../../src/webhook/authn/last-used.ts";
import { SERVICE_TOKENS } from "../../../src/api/index.ts";
import { inParallel } from "../support/bulk.ts";
import { WebhookRun, type DeliveredToken } from "./webhook-run.ts";
import { authenticateDirect, verifyDirect, webhookAgent, webhookMetric } from "./webhook-http.ts";
import { startTestWebhook, watchObject, type TestWebhook } from "./webhook-support.ts";

const FLUSH_MS = 60_000;
const USES = 1_000;
const WRITES = "svctokens_webhook_last_used_writes_total";

let run: WebhookRun;
let ns: string;
let busy: DeliveredToken;
let fresh: DeliveredToken;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const written = (webhook: TestWebhook): Promise<number> =>
  webhookMetric(webhook, WRITES, { outcome: "written" });
const lastUsedAt = async (name: string): Promise<string | undefined> =>
  (await run.admin.token(ns, name))?.status?.lastUsedAt as string | undefined;

beforeAll(async () => {
  run = await WebhookRun.start({ lastUsedFlushMs: FLUSH_MS });
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

it(
  `writes status at most twice for ${USES} authentications of one token within a minute`,
  async () => {
    const webhook = run.service;
    expect(await lastUsedAt("busy")).toBeUndefined(); // "never used"
    const token = await run.admin.token(ns, "busy");
    const watch = await watchObject(
      run.admin,
      resourcePath(SERVICE_TOKENS, { namespace: ns }),
      "busy",
      token?.metadata?.resourceVersion ?? "",
    );
    const writtenBefore = await written(webhook);
    const skippedBefore = await webhookMetric(webhook, WRITES, { outcome: "skipped" });
    const agent = await webhookAgent(webhook);
    let succeeded = 0;
    // Spread over most of a minute and centred on the service's first flush (they tick every
    // interval from its start), so a flush falls among the uses: 50 rounds of 20, 1.1 s apart.
    const firstFlush = run.serviceStartedAt + FLUSH_MS;
    await sleep(firstFlush - 27_000 - Date.now());
    const started = Date.now();
    for (let round = 0; round < USES / 20; round++) {
      await sleep(started + round * 1_100 - Date.now());
      await inParallel(20, 20, async (i) => {
        // Half as kube-apiserver asks (TokenReview), half as a gateway does (forward-auth).
        const ok =
          i % 2 === 0
            ? (await authenticateDirect(webhook, busy.value, agent)).authenticated
            : (await verifyDirect(webhook, busy.value, agent)).status === 200;
        if (ok) succeeded += 1;
      });
    }
    const finished = Date.now();
    agent.destroy();
    expect(succeeded).toBe(USES);
    expect(finished - started).toBeLessThan(60_000);

    expect(finished).toBeGreaterThan(firstFlush + 1_000);
    // The flush after the first one carries the rest of the uses; then nothing is pending.
    await sleep(firstFlush + FLUSH_MS + 3_000 - Date.now());
    watch.stop();
    expect(watch.ended()).toBe(false); // the watch saw the whole time
    const at = Date.parse((await lastUsedAt("busy")) ?? "");
    expect(at).toBeGreaterThanOrEqual(truncateToSecond(started));
    expect(at).toBeLessThanOrEqual(finished);

    const writes = (await written(webhook)) - writtenBefore;
    const skipped = (await webhookMetric(webhook, WRITES, { outcome: "skipped" })) - skippedBefore;
    const changes = watch.modified.filter(
      (object, i, all) => object.status?.lastUsedAt !== all[i - 1]?.status?.lastUsedAt,
    ).length;
    process.stderr.write(
      `[last-used] ${USES} authentications in ${finished - started} ms → ${writes} status ` +
        `write(s) by the webhook (${skipped} flush(es) skipped as already covered), ` +
        `${watch.modified.length} resourceVersion change(s) of the token\n`,
    );
    expect(writes + skipped).toBe(2); // both flushes had uses of the token to write or skip
    expect(writes).toBeGreaterThanOrEqual(1);
    expect(writes).toBeLessThanOrEqual(2);
    expect(changes).toBe(writes);
    expect(watch.modified.length).toBeLessThanOrEqual(2);
  },
  2 * FLUSH_MS + 60_000,
);

it("flushes pending uses when the service stops", async () => {
  // A second service with an hour-long interval: only its stop can write this use.
  const side = await startTestWebhook(pino({ level: "silent" }), 3_600_000, { sidePort: true });
  try {
    expect(await lastUsedAt("fresh")).toBeUndefined();
    expect((await verifyDirect(side, fresh.value)).status).toBe(200);
    await sleep(1_000);
    expect(await lastUsedAt("fresh")).toBeUndefined();
    expect(await written(side)).toBe(0);
  } finally {
    await side.stop();
  }
  // stop() resolves after the flush: the write is there, no waiting.
  expect(await lastUsedAt("fresh")).toBeDefined();
  expect(await written(side)).toBe(1);
});
