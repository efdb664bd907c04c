// The controller SIGKILLed while it rotates many tokens at once (an Admin requested it). At the
// kill, every token has at most two pinned, recorded values and its delivery Secret's value
// authenticates; after a restart every token has rotated exactly once, its delivery Secret and
// current record agree, and the original value still authenticates as the previous one.
import { describe, expect, it, vi } from "vitest";
import { ROTATE_REQUESTED_AT_ANNOTATION, SERVICE_TOKENS } from "../../../src/api/index.ts";
import { readHashRecord, type HashRecord } from "../../../src/domain/hash-record.ts";
import { resourcePath } from "../../../src/k8s/paths.ts";
import { PATCH } from "../../../src/k8s/rest.ts";
import { rfc3339 } from "../../../src/k8s/time.ts";
import { hashToken, tokenIdFromHash } from "../../../src/tokens/index.ts";
import { activeTokenCount, createTokens, inParallel } from "../support/bulk.ts";
import { eventually } from "../support/cluster.ts";
import { startControllerProcess } from "../support/controller-process.ts";
import { OPERATOR_NAMESPACE, controllerKubeconfig } from "../support/operator.ts";
import { Api, secretValue, type TestObject } from "../support/resources.ts";
import { verifyDirect } from "../webhook/webhook-http.ts";
import type { TestWebhook } from "../webhook/webhook-support.ts";
import { killWorld } from "./kill-world.ts";

// Enough that the kill lands mid-way through the rotations; more only makes CI slower.
const TOKENS = 16;
const ENV = { SVCTOKENS_LEADER_ELECTION: "false" };

interface World {
  tokens: TestObject[];
  /** Token uid → its delivery Secret's value. */
  delivered: Map<string, string>;
  /** Token uid → its trusted hash records. */
  records: Map<string, HashRecord[]>;
}

describe("faults: controller SIGKILLed while rotating tokens", () => {
  const w = killWorld("rotkill");

  it(`keeps every delivered value live through a SIGKILL mid-way through ${TOKENS} rotations`, async () => {
    const kubeconfig = await controllerKubeconfig();
    const first = await startControllerProcess("rotkill-1", kubeconfig, ENV);
    w.processes.push(first);
    await createTokens(w.api, w.ns, w.user, "t", TOKENS);
    await eventually(
      `all ${TOKENS} tokens Active`,
      async () => ((await activeTokenCount(w.api, w.ns)) === TOKENS ? true : undefined),
      120_000,
    );
    const before = await readWorld(w.api, w.ns);
    const service = w.webhook;

    const requestedAt = rfc3339(new Date());
    await inParallel(TOKENS, 16, async (i) => {
      await w.api.rest.request(
        "PATCH",
        resourcePath(SERVICE_TOKENS, { namespace: w.ns, name: `t-${i}` }),
        { metadata: { annotations: { [ROTATE_REQUESTED_AT_ANNOTATION]: requestedAt } } },
        PATCH.merge,
      );
    });
    // Polled tighter than `eventually` does: the rotations take a few seconds in all.
    const tokensPath = `/apis/svctokens.dev/v1alpha1/namespaces/${w.ns}/servicetokens`;
    await vi.waitFor(
      async () => {
        const { items } = await w.api.rest.request<{ items: TestObject[] }>("GET", tokensPath);
        const started = items.filter((t) => t.status?.rotations === 1).length;
        if (started < 1 || started >= TOKENS) throw new Error("not mid-way");
      },
      { timeout: 60_000, interval: 20 },
    );
    await first.kill("SIGKILL");

    const atKill = await readWorld(w.api, w.ns);
    const rotatedAtKill = atKill.tokens.filter((t) => t.status?.rotations === 1).length;
    expect(rotatedAtKill, "tokens whose rotation started before the kill").toBeLessThan(TOKENS);
    for (const token of atKill.tokens) expect(liveIds(atKill, token).size).toBeLessThanOrEqual(2);
    expect(new Set(await statusesOf(service, [...atKill.delivered.values()]))).toEqual(
      new Set([200]),
    );

    w.processes.push(await startControllerProcess("rotkill-2", kubeconfig, ENV));
    const converged = await eventually(
      "every token rotated once, its delivery Secret and records agreeing",
      async () => {
        const world = await readWorld(w.api, w.ns);
        return world.tokens.every((t) => settled(world, t)) ? world : undefined;
      },
      120_000,
    );
    expect(converged.tokens).toHaveLength(TOKENS);
    for (const token of converged.tokens) {
      const uid = token.metadata?.uid ?? "";
      const original = tokenIdFromHash(hashToken(before.delivered.get(uid) ?? ""));
      expect(token.status?.previousTokenId, `${token.metadata?.name}: previous`).toBe(original);
      expect(liveIds(converged, token).size).toBe(2);
    }
    // Both values of every token authenticate during the overlap.
    const values = [...converged.delivered.values(), ...before.delivered.values()];
    await eventually("the webhook to accept every current and previous value", async () => {
      const statuses = await statusesOf(service, values);
      return statuses.every((status) => status === 200) ? true : undefined;
    });
  }, 300_000);
});

/** Token ids pinned by the token (current, previous) that a record of it holds: live values. */
function liveIds(world: World, token: TestObject): Set<string> {
  const pinned = [token.status?.tokenId, token.status?.previousTokenId];
  const records = world.records.get(token.metadata?.uid ?? "") ?? [];
  return new Set(records.map((r) => r.tokenId).filter((id) => pinned.includes(id)));
}

/** Rotated once; the delivery Secret holds the current pin; current and previous recorded. */
function settled(world: World, token: TestObject): boolean {
  const uid = token.metadata?.uid ?? "";
  const value = world.delivered.get(uid) ?? "";
  const records = world.records.get(uid) ?? [];
  const ids = new Set(records.map((r) => r.tokenId));
  return (
    token.status?.rotations === 1 &&
    token.status.tokenId === tokenIdFromHash(hashToken(value)) &&
    records.length === 2 &&
    ids.has(String(token.status.tokenId)) &&
    ids.has(String(token.status.previousTokenId))
  );
}

async function readWorld(api: Api, ns: string): Promise<World> {
  const list = async (path: string): Promise<TestObject[]> =>
    (await api.rest.request<{ items: TestObject[] }>("GET", path)).items;
  const [tokens, secrets, recordSecrets] = await Promise.all([
    list(`/apis/svctokens.dev/v1alpha1/namespaces/${ns}/servicetokens`),
    list(`/api/v1/namespaces/${ns}/secrets?fieldSelector=type%3Dsvctokens.dev%2Fservice-token`),
    list(
      `/api/v1/namespaces/${OPERATOR_NAMESPACE}/secrets?labelSelector=svctokens.dev%2Ftoken-namespace%3D${ns}`,
    ),
  ]);
  const delivered = new Map<string, string>();
  for (const secret of secrets) {
    const owner = secret.metadata?.ownerReferences?.find((r) => r.kind === "ServiceToken");
    const value = secretValue(secret, "token");
    if (owner && value) delivered.set(owner.uid, value);
  }
  const records = new Map<string, HashRecord[]>();
  for (const secret of recordSecrets) {
    const record = readHashRecord(secret);
    if (record) records.set(record.tokenUid, [...(records.get(record.tokenUid) ?? []), record]);
  }
  return { tokens, delivered, records };
}

/** GET /verify for each value; the HTTP statuses. */
async function statusesOf(webhook: TestWebhook, values: string[]): Promise<number[]> {
  const statuses: number[] = [];
  await inParallel(values.length, 8, async (i) => {
    statuses[i] = (await verifyDirect(webhook, values[i] ?? "")).status;
  });
  return statuses;
}
