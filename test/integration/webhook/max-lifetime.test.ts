// The operator-wide maximum token lifetime, enforced by admission through kube-apiserver: with
// the service started at 30 days, a token that never expires and one of 90 (or 31) days are
// refused with a message naming the limit; a 30-day token is created and generated.
import { afterAll, beforeAll, expect, it } from "vitest";
import { kubectl } from "../support/kubectl.ts";
import { controlPlane } from "../support/cluster.ts";
import { WebhookRun } from "./webhook-run.ts";
import { admissionDenial, expectForbidden } from "./webhook-support.ts";

const MAX_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;
let run: WebhookRun;
let ns: string;
let user: string;

const refusal = (name: string, why: string): string =>
  admissionDenial(
    `ServiceToken ${ns}/${name} cannot be created: ${why}; set spec.expiresInDays between 1 ` +
      `and ${MAX_DAYS}`,
  );

beforeAll(async () => {
  run = await WebhookRun.start({ maxTokenLifetimeDays: MAX_DAYS });
  ns = await run.namespace("max-lifetime");
  user = `ml-${run.run}`;
  await run.createUser(run.admin, user, { role: "Member" });
}, 180_000);

afterAll(async () => {
  await run?.stop();
}, 240_000);

it("refuses a token that never expires, at the terminal, naming the limit", async () => {
  const token = {
    apiVersion: "svctokens.dev/v1alpha1",
    kind: "ServiceToken",
    metadata: { name: "forever", namespace: ns, labels: run.labels },
    spec: { serviceUser: user },
  };
  const result = await kubectl(
    controlPlane().adminKubeconfig,
    ["create", "-f", "-"],
    JSON.stringify(token),
  );
  expect(result.code).not.toBe(0);
  expect(result.stderr).toContain(
    refusal(
      "forever",
      `it never expires, and this operator allows tokens of at most ${MAX_DAYS} days`,
    ),
  );
  expect(await run.admin.token(ns, "forever")).toBeUndefined();
});

it.each([90, MAX_DAYS + 1])("refuses a %i-day token", async (days) => {
  const name = `days-${days}`;
  const error = await run
    .createToken(run.admin, ns, name, { serviceUser: user, expiresInDays: days })
    .catch((e: unknown) => e);
  expectForbidden(
    error,
    refusal(
      name,
      `spec.expiresInDays is ${days}, more than the ${MAX_DAYS} days this operator allows`,
    ),
  );
  expect(await run.admin.token(ns, name)).toBeUndefined();
});

it(`allows a ${MAX_DAYS}-day token, which expires ${MAX_DAYS} days after generation`, async () => {
  await run.createToken(run.admin, ns, "month", { serviceUser: user, expiresInDays: MAX_DAYS });
  await run.delivered(ns, "month");
  const { status } = (await run.admin.token(ns, "month")) ?? {};
  const lifetime = Date.parse(String(status?.expiresAt)) - Date.parse(String(status?.createdAt));
  expect(lifetime).toBe(MAX_DAYS * DAY_MS);
});
