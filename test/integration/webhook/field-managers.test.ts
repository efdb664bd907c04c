// Every write names its writer: on the real API server, managedFields of the objects the
// operator touches say which component wrote what (controller, webhook, the admin's tool),
// instead of a manager guessed from a missing User-Agent.
import { afterAll, beforeAll, expect, it } from "vitest";
import { SERVICE_TOKENS } from "../../../src/api/index.ts";
import { resourcePath, EVENTS } from "../../../src/k8s/paths.ts";
import { PATCH } from "../../../src/k8s/rest.ts";
import { eventually } from "../support/cluster.ts";
import type { TestObject } from "../support/resources.ts";
import { authenticateDirect } from "./webhook-http.ts";
import { WebhookRun, type DeliveredToken } from "./webhook-run.ts";

let run: WebhookRun;
let ns: string;
let token: DeliveredToken;

beforeAll(async () => {
  run = await WebhookRun.start({ lastUsedFlushMs: 200 });
  ns = await run.namespace("managers");
  const user = `managers-${run.run}`;
  await run.createUser(run.admin, user, { role: "Member" });
  await run.createToken(run.admin, ns, "ci", { serviceUser: user });
  token = await run.delivered(ns, "ci");
}, 180_000);

afterAll(async () => {
  await run?.stop();
}, 240_000);

const managersOf = (object: TestObject | undefined): string[] =>
  (object?.metadata?.managedFields ?? []).map((entry) =>
    `${entry.manager ?? "?"} ${entry.operation ?? "?"} ${entry.subresource ?? ""}`.trim(),
  );

it("names the controller, the webhook and the tool in managedFields", async () => {
  expect((await authenticateDirect(run.webhook!, token.value)).authenticated).toBe(true);
  const managers = await eventually("the webhook's last-used write", async () => {
    const found = managersOf(await run.admin.token(ns, "ci"));
    return found.includes("svctokens-webhook Update status") ? found : undefined;
  });
  expect(managers).toEqual(
    expect.arrayContaining([
      "svctokens-tool Update",
      "svctokens-controller Update status",
      "svctokens-webhook Update status",
    ]),
  );
  expect(managers.every((entry) => entry.startsWith("svctokens-"))).toBe(true);

  // The delivery Secret is created (POST), so its entry is an Update by the controller.
  expect(managersOf(await run.admin.secret(ns, "ci-token"))).toEqual([
    "svctokens-controller Update",
  ]);

  // A first value has no Event (Ready says it); a revocation has one.
  await run.admin.rest.request(
    "PATCH",
    resourcePath(SERVICE_TOKENS, { namespace: ns, name: "ci" }),
    { spec: { revoked: true } },
    PATCH.merge,
  );
  const events = await eventually("the controller's Revoked Event", async () => {
    const list = await run.admin.rest.request<{ items: TestObject[] }>(
      "GET",
      resourcePath(EVENTS, { namespace: ns }),
    );
    return list.items.some((event) => event.reason === "Revoked") ? list : undefined;
  });
  for (const event of events.items) {
    expect(managersOf(event)).toEqual(["svctokens-controller Update"]);
  }
});
