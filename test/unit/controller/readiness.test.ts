// The controller's readiness follows its caches: ready once synced, not ready when they stop
// following the API server for longer than the bound, ready again when they catch up.
import type { ServerResponse } from "node:http";
import { pino } from "pino";
import { afterEach, beforeEach, expect, it } from "vitest";
import { Controller } from "../../../src/controller/controller.ts";
import {
  sendJson,
  startFakeApiServer,
  statusBody,
  type FakeApiServer,
} from "../k8s/fake-api-server.ts";

let fake: FakeApiServer;
let down: boolean;
let watches: ServerResponse[];

beforeEach(async () => {
  fake = await startFakeApiServer();
  down = false;
  watches = [];
  fake.handle = (req, res) => {
    if (down) return sendJson(res, 503, statusBody(503, "ServiceUnavailable", "down"));
    if (!req.url.includes("watch=true")) {
      return sendJson(res, 200, { items: [], metadata: { resourceVersion: "1" } });
    }
    res.writeHead(200, { "Content-Type": "application/json" });
    res.flushHeaders();
    watches.push(res);
  };
});

afterEach(async () => {
  await fake.stop();
});

it("turns not ready while its caches lag past the bound, and ready when they catch up", async () => {
  const controller = new Controller({
    kubeConfig: fake.kubeConfig({ token: "t" }),
    operatorNamespace: "svctokens-system",
    identity: "test",
    resyncMs: 600_000,
    concurrency: 1,
    log: pino({ level: "silent" }),
    maxCacheStalenessMs: 300,
  });
  expect(controller.isReady()).toBe(false);
  controller.start();
  await expect.poll(() => controller.isReady()).toBe(true);
  await expect.poll(() => watches.length).toBe(controller.caches.all().length);

  down = true;
  for (const res of watches.splice(0)) res.destroy();
  await expect.poll(() => controller.isReady()).toBe(false);

  down = false;
  await expect.poll(() => controller.isReady(), { timeout: 10_000 }).toBe(true);
  await controller.stop();
});
