// LeaderElector against a fake API server holding one Lease, on a manual clock: it acquires,
// renews, takes over only after a whole lease duration of observed silence (whatever the
// Lease's timestamps say), steps down when it cannot renew, and releases on stop.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { pino } from "pino";
import { LeaderElector } from "../../../src/controller/runtime/leader-election.ts";
import { KubeRest } from "../../../src/k8s/rest.ts";
import { CONTROLLER_CLIENT } from "../../../src/k8s/client-identity.ts";
import { microTime } from "../../../src/k8s/time.ts";
import { ManualClock } from "../manual-clock.ts";
import {
  sendJson,
  startFakeApiServer,
  statusBody,
  type FakeApiServer,
} from "../k8s/fake-api-server.ts";

interface Lease {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: Record<string, unknown>;
}

const LEASE_MS = 15_000;
const RETRY_MS = 5_000;

let fake: FakeApiServer;
let rest: KubeRest;
let clock: ManualClock;
let stored: Lease | undefined;
let down: boolean;
let version: number;
let elector: LeaderElector;
let terms: { aborted: boolean }[];
let running: Promise<void>;

beforeEach(async () => {
  fake = await startFakeApiServer();
  rest = new KubeRest(fake.kubeConfig({ token: "t" }), { identity: CONTROLLER_CLIENT });
  clock = new ManualClock();
  stored = undefined;
  down = false;
  version = 0;
  terms = [];
  fake.handle = (req, res) => {
    if (down) return sendJson(res, 503, statusBody(503, "ServiceUnavailable", "down"));
    const url = new URL(req.url, fake.url);
    if (req.method === "GET") {
      return stored
        ? sendJson(res, 200, stored)
        : sendJson(res, 404, statusBody(404, "NotFound", "no lease"));
    }
    const lease = JSON.parse(req.body) as Lease;
    if (req.method === "POST" && stored) {
      return sendJson(res, 409, statusBody(409, "AlreadyExists", "exists"));
    }
    if (
      req.method === "PUT" &&
      lease.metadata.resourceVersion !== stored?.metadata.resourceVersion
    ) {
      return sendJson(res, 409, statusBody(409, "Conflict", "changed"));
    }
    expect(url.searchParams.get("fieldManager")).toBe("svctokens-controller");
    version += 1;
    stored = { ...lease, metadata: { ...lease.metadata, resourceVersion: String(version) } };
    return sendJson(res, req.method === "POST" ? 201 : 200, stored);
  };
  elector = new LeaderElector({
    rest,
    namespace: "ops",
    name: "ctl",
    identity: "me",
    leaseDurationMs: LEASE_MS,
    retryPeriodMs: RETRY_MS,
    log: pino({ level: "silent" }),
    clock,
  });
});

afterEach(async () => {
  elector.stop();
  await running;
  rest.close();
  await fake.stop();
});

function campaign(): void {
  running = elector.run((signal) => {
    const term = { aborted: false };
    terms.push(term);
    return new Promise((resolve) =>
      signal.addEventListener("abort", () => resolve((term.aborted = true)), { once: true }),
    ).then(() => undefined);
  });
}

const writes = (): number => fake.requests.filter((req) => req.method !== "GET").length;
const holder = (): unknown => stored?.spec.holderIdentity;

describe("LeaderElector", () => {
  it("creates the Lease, leads, and renews it every retry period with the clock's time", async () => {
    campaign();
    await expect.poll(() => terms.length).toBe(1);
    expect(elector.isLeader()).toBe(true);
    expect(stored?.spec).toMatchObject({
      holderIdentity: "me",
      leaseDurationSeconds: 15,
      acquireTime: microTime(new Date(clock.now())),
      leaseTransitions: 0,
    });
    const acquiredAt = clock.now();
    for (const renewal of [1, 2, 3]) {
      clock.advance(RETRY_MS);
      await expect.poll(writes).toBe(1 + renewal);
      expect(stored?.spec.renewTime).toBe(microTime(new Date(clock.now())));
    }
    expect(stored?.spec.acquireTime).toBe(microTime(new Date(acquiredAt)));
    expect(terms[0]?.aborted).toBe(false);
  });

  it("takes over only after a lease duration of observed silence, whatever renewTime says", async () => {
    // Another replica holds the Lease, its clock far ahead: renewTime means nothing here.
    const far = microTime(new Date(Date.UTC(2099, 0, 1)));
    stored = {
      metadata: { name: "ctl", namespace: "ops", resourceVersion: "7" },
      spec: {
        holderIdentity: "other",
        leaseDurationSeconds: 15,
        renewTime: far,
        leaseTransitions: 2,
      },
    };
    campaign();
    await expect.poll(() => fake.requests.length).toBe(1);
    for (const seen of [2, 3, 4]) {
      clock.advance(RETRY_MS);
      await expect.poll(() => fake.requests.length).toBe(seen);
    }
    // 15 s since the Lease last changed: not yet more than a lease duration.
    expect(holder()).toBe("other");
    expect(terms).toHaveLength(0);
    clock.advance(RETRY_MS);
    await expect.poll(() => terms.length).toBe(1);
    expect(holder()).toBe("me");
    expect(stored?.spec.leaseTransitions).toBe(3);
  });

  it("does not take over while the holder keeps renewing", async () => {
    stored = {
      metadata: { name: "ctl", namespace: "ops", resourceVersion: "7" },
      spec: { holderIdentity: "other", leaseDurationSeconds: 15, renewTime: "a" },
    };
    campaign();
    for (let step = 1; step <= 8; step += 1) {
      await expect.poll(() => fake.requests.length).toBe(step);
      stored.spec = { ...stored.spec, renewTime: `renewal-${step}` };
      clock.advance(RETRY_MS);
    }
    expect(holder()).toBe("other");
    expect(terms).toHaveLength(0);
  });

  it("steps down when it has not renewed for longer than lease duration minus retry period", async () => {
    campaign();
    await expect.poll(() => terms.length).toBe(1);
    down = true;
    for (const failed of [1, 2]) {
      clock.advance(RETRY_MS);
      await expect.poll(() => fake.requests.length).toBe(2 + failed);
    }
    // 10 s without a renewal: a standby may not take over before 15 s, so still leading.
    expect(terms[0]?.aborted).toBe(false);
    expect(elector.isLeader()).toBe(true);
    clock.advance(RETRY_MS);
    await expect.poll(() => terms[0]?.aborted).toBe(true);
    expect(elector.isLeader()).toBe(false);
  });

  it("releases the Lease on stop so a standby takes over at once", async () => {
    campaign();
    await expect.poll(() => terms.length).toBe(1);
    clock.advance(2_000);
    elector.stop();
    await running;
    expect(terms[0]?.aborted).toBe(true);
    expect(stored?.spec).toMatchObject({
      holderIdentity: "",
      renewTime: microTime(new Date(clock.now())),
    });
  });
});
