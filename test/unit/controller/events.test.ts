// Events carry the injected clock's time, name the controller as field manager, and a failed
// post never fails the caller.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { pino } from "pino";
import { EventReason, EventRecorder } from "../../../src/controller/events.ts";
import { CONTROLLER_CLIENT } from "../../../src/k8s/client-identity.ts";
import { KubeRest } from "../../../src/k8s/rest.ts";
import { microTime } from "../../../src/k8s/time.ts";
import { ManualClock } from "../manual-clock.ts";
import {
  sendJson,
  startFakeApiServer,
  statusBody,
  type FakeApiServer,
} from "../k8s/fake-api-server.ts";

let fake: FakeApiServer;
let rest: KubeRest;

beforeEach(async () => {
  fake = await startFakeApiServer();
  rest = new KubeRest(fake.kubeConfig({ token: "t" }), { identity: CONTROLLER_CLIENT });
});

afterEach(async () => {
  rest.close();
  await fake.stop();
});

const token = {
  apiVersion: "svctokens.dev/v1alpha1",
  kind: "ServiceToken",
  metadata: { name: "ci", namespace: "prod", uid: "u-1", resourceVersion: "5" },
};

describe("EventRecorder", () => {
  it("stamps the Event with the clock's time", async () => {
    fake.handle = (_req, res) => sendJson(res, 201, {});
    const clock = new ManualClock(Date.UTC(2031, 4, 6, 7, 8, 9, 123));
    const events = new EventRecorder(rest, "replica-1", pino({ level: "silent" }), clock);
    await events.record(token, EventReason.Expired, "ServiceToken prod/ci expired", "Warning");

    const [post] = fake.requests;
    expect(post?.method).toBe("POST");
    expect(post?.url).toBe(
      "/apis/events.k8s.io/v1/namespaces/prod/events?fieldManager=svctokens-controller",
    );
    expect(JSON.parse(post?.body ?? "{}")).toMatchObject({
      eventTime: microTime(new Date(clock.now())),
      reason: "Expired",
      type: "Warning",
      reportingInstance: "replica-1",
      regarding: { kind: "ServiceToken", name: "ci", namespace: "prod", uid: "u-1" },
    });
  });

  it("logs and swallows a refused Event: reporting never fails a reconcile", async () => {
    fake.handle = (_req, res) => sendJson(res, 403, statusBody(403, "Forbidden", "no"));
    const events = new EventRecorder(
      rest,
      "replica-1",
      pino({ level: "silent" }),
      new ManualClock(),
    );
    await expect(
      events.record(token, EventReason.Regenerated, "regenerated"),
    ).resolves.toBeUndefined();
    expect(fake.requests).toHaveLength(1);
  });
});
