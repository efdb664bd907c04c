import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Counter, Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHealthServer } from "../../src/health-server.ts";

const registry = new Registry();
new Counter({ name: "test_things_total", help: "Things.", registers: [registry] }).inc(3);
const state = { ready: false, scrapes: 0 };
let server: Server;
let base: string;

beforeAll(async () => {
  server = await startHealthServer(
    { isReady: () => state.ready, registry, beforeScrape: () => void state.scrapes++ },
    0,
    "127.0.0.1",
  );
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("the health and metrics server (controller and webhook service)", () => {
  it("is live at once, ready only when the source says so", async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    state.ready = true;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });

  it("serves the registry's metrics, refreshed just before the scrape", async () => {
    const answer = await fetch(`${base}/metrics`);
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain("test_things_total 3");
    expect(state.scrapes).toBe(1);
  });

  it("exports readiness as svctokens_ready (the caches-not-synced alert)", async () => {
    state.ready = false;
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/^svctokens_ready 0$/m);
    state.ready = true;
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/^svctokens_ready 1$/m);
  });

  it.each([
    ["an unknown path", "GET", "/authenticate", 404],
    ["a POST", "POST", "/metrics", 405],
  ])("refuses %s", async (_case, method, path, status) => {
    expect((await fetch(`${base}${path}`, { method })).status).toBe(status);
  });
});
