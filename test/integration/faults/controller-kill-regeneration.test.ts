// The controller SIGKILLed while it regenerates many delivery Secrets at once (deleted by an
// admin). After a restart every token converges to exactly one live value: its one delivery
// Secret holds it, its one hash record holds its hash, and the old value (and any value
// written before the kill but never recorded) no longer authenticates.
import { describe, expect, it } from "vitest";
import { readHashRecord } from "../../../src/domain/hash-record.ts";
import { hashToken } from "../../../src/tokens/index.ts";
import { activeTokenCount, createTokens, inParallel } from "../support/bulk.ts";
import { eventually } from "../support/cluster.ts";
import { startControllerProcess } from "../support/controller-process.ts";
import { OPERATOR_NAMESPACE, controllerKubeconfig } from "../support/operator.ts";
import { Api, secretValue, type TestObject } from "../support/resources.ts";
import { verifyDirect } from "../webhook/webhook-http.ts";
import type { TestWebhook } from "../webhook/webhook-support.ts";
import { killWorld } from "./kill-world.ts";

// Enough that the kill lands mid-way through the regenerations; more only makes CI slower.
const TOKENS = 100;
const ENV = { SVCTOKENS_LEADER_ELECTION: "false" };

describe("faults: controller SIGKILLed while regenerating delivery Secrets", () => {
  const w = killWorld("regen");

  it(`converges to one live value per token after a SIGKILL mid-way through ${TOKENS} regenerations`, async () => {
    const kubeconfig = await controllerKubeconfig();
    const first = await startControllerProcess("regen-1", kubeconfig, ENV);
    w.processes.push(first);
    await createTokens(w.api, w.ns, w.user, "t", TOKENS);
    await eventually(
      `all ${TOKENS} tokens Active`,
      async () => ((await activeTokenCount(w.api, w.ns)) === TOKENS ? true : undefined),
      180_000,
    );
    const before = await deliveryValues(w.api, w.ns);
    expect(before.size).toBe(TOKENS);

    // An admin deletes every delivery Secret at once; the controller regenerates them all.
    await w.api.rest.request(
      "DELETE",
      `/api/v1/namespaces/${w.ns}/secrets?fieldSelector=${DELIVERY_TYPE}`,
    );
    await eventually(
      "the controller to be mid-way through regenerating",
      async () => {
        const count = (await deliverySecrets(w.api, w.ns)).length;
        return count >= TOKENS / 10 && count < TOKENS ? true : undefined;
      },
      60_000,
    );
    await first.kill("SIGKILL");
    const atKill = await deliverySecrets(w.api, w.ns);
    expect(atKill.length, "delivery Secrets written before the kill").toBeLessThan(TOKENS);
    // Values that existed at any point: none but the final one may authenticate.
    const everWritten = new Set([
      ...before.values(),
      ...atKill.map((s) => secretValue(s, "token") ?? ""),
    ]);

    w.processes.push(await startControllerProcess("regen-2", kubeconfig, ENV));
    const converged = await eventually(
      "every token to have one delivery Secret and one hash record that agree",
      async () => {
        const world = await readWorld(w.api, w.ns);
        return world.tokens.every((token) => agreeing(world, token)) ? world : undefined;
      },
      180_000,
    );

    expect(converged.tokens).toHaveLength(TOKENS);
    expect(converged.secrets).toHaveLength(TOKENS);
    expect(converged.records).toHaveLength(TOKENS);
    const live = new Set<string>();
    for (const token of converged.tokens) {
      const uid = token.metadata?.uid ?? "";
      const secrets = converged.secrets.filter((s) =>
        s.metadata?.ownerReferences?.some((r) => r.uid === uid),
      );
      const records = converged.records.filter((r) => readHashRecord(r)?.tokenUid === uid);
      expect(secrets, `delivery Secrets of ${token.metadata?.name}`).toHaveLength(1);
      expect(records, `hash records of ${token.metadata?.name}`).toHaveLength(1);
      const value = secretValue(secrets[0], "token") ?? "";
      expect(readHashRecord(records[0] as TestObject)?.hash).toBe(hashToken(value));
      expect(value, `${token.metadata?.name} got a new value`).not.toBe(before.get(uid));
      live.add(value);
    }
    expect(live.size).toBe(TOKENS);

    // At the webhook: each live value authenticates, every other value ever written does not.
    const service = w.webhook;
    await eventually(
      "the webhook to accept every live value",
      async () => {
        const statuses = await statusesOf(service, [...live]);
        return statuses.every((status) => status === 200) ? true : undefined;
      },
      60_000,
    );
    const dead = [...everWritten].filter((value) => value !== "" && !live.has(value));
    expect(dead.length).toBeGreaterThanOrEqual(TOKENS);
    expect(new Set(await statusesOf(service, dead))).toEqual(new Set([401]));
  }, 600_000);
});

const DELIVERY_TYPE = "type%3Dsvctokens.dev%2Fservice-token";

async function deliverySecrets(api: Api, ns: string): Promise<TestObject[]> {
  const path = `/api/v1/namespaces/${ns}/secrets?fieldSelector=${DELIVERY_TYPE}`;
  return (await api.rest.request<{ items: TestObject[] }>("GET", path)).items;
}

/** Token uid → the value its delivery Secret holds. */
async function deliveryValues(api: Api, ns: string): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  for (const secret of await deliverySecrets(api, ns)) {
    const owner = secret.metadata?.ownerReferences?.find((r) => r.kind === "ServiceToken");
    const value = secretValue(secret, "token");
    if (owner && value) values.set(owner.uid, value);
  }
  return values;
}

interface World {
  tokens: TestObject[];
  secrets: TestObject[];
  records: TestObject[];
}

async function readWorld(api: Api, ns: string): Promise<World> {
  const list = async (path: string): Promise<TestObject[]> =>
    (await api.rest.request<{ items: TestObject[] }>("GET", path)).items;
  const [tokens, secrets, records] = await Promise.all([
    list(`/apis/svctokens.dev/v1alpha1/namespaces/${ns}/servicetokens`),
    deliverySecrets(api, ns),
    list(
      `/api/v1/namespaces/${OPERATOR_NAMESPACE}/secrets?labelSelector=svctokens.dev%2Ftoken-namespace%3D${ns}`,
    ),
  ]);
  return { tokens, secrets, records };
}

/** One delivery Secret and one record for the token, holding the same value, and Active. */
function agreeing(world: World, token: TestObject): boolean {
  const uid = token.metadata?.uid;
  const secrets = world.secrets.filter((s) =>
    s.metadata?.ownerReferences?.some((r) => r.uid === uid),
  );
  const records = world.records.filter((r) => readHashRecord(r)?.tokenUid === uid);
  if (secrets.length !== 1 || records.length !== 1 || token.status?.phase !== "Active")
    return false;
  const value = secretValue(secrets[0], "token") ?? "";
  return readHashRecord(records[0] as TestObject)?.hash === hashToken(value);
}

/** GET /verify for each value; the HTTP statuses. */
async function statusesOf(webhook: TestWebhook, values: string[]): Promise<number[]> {
  const statuses: number[] = [];
  await inParallel(values.length, 8, async (i) => {
    statuses[i] = (await verifyDirect(webhook, values[i] ?? "")).status;
  });
  return statuses;
}
