// Rotation with overlap, end to end: a workload-like reader re-reads the delivery Secret and
// authenticates at /verify and at kube-apiserver (--token through the webhook token
// authenticator) without a single failure across a rotation; the previous value is refused once
// the overlap is over (time moved with the controller's clock); a second rotation inside the
// overlap retires the oldest value at once; everyDays rotates; a client-generated token rotates
// by an Admin changing spec.tokenHash; and someone whom RBAC lets write tokens, but who is not
// an Admin, can neither request a rotation nor change how tokens rotate.
import { request } from "node:https";
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROTATE_REQUESTED_AT_ANNOTATION, SERVICE_TOKENS } from "../../../src/api/index.ts";
import { resourcePath } from "../../../src/k8s/paths.ts";
import { PATCH } from "../../../src/k8s/rest.ts";
import { rfc3339 } from "../../../src/k8s/time.ts";
import { generateToken, hashToken } from "../../../src/tokens/index.ts";
import { controlPlane, eventually } from "../support/cluster.ts";
import { secretValue, type Api, type TestObject } from "../support/resources.ts";
import { ShiftableClock } from "../support/shiftable-clock.ts";
import { verifyDirect } from "./webhook-http.ts";
import { WebhookRun } from "./webhook-run.ts";

const MINUTE_MS = 60 * 1000;
const DAY_MS = 24 * 60 * MINUTE_MS;

const clock = new ShiftableClock();
let run: WebhookRun;
let ns: string;
let userName: string;
let caPem: string;

/** kube-apiserver's answer to a SelfSubjectReview made with `token` (201: authenticated). */
function apiserverStatus(token: string): Promise<number> {
  const url = new URL("/apis/authentication.k8s.io/v1/selfsubjectreviews", controlPlane().server);
  const body = JSON.stringify({
    apiVersion: "authentication.k8s.io/v1",
    kind: "SelfSubjectReview",
  });
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        ca: caPem,
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function deliveredValue(name: string): Promise<string> {
  return secretValue(await run.admin.secret(ns, `${name}-token`), "token") ?? "";
}

/** Sets the rotation annotation as `kubectl svctokens rotate` does, at the controller's now. */
async function requestRotation(as: Api, name: string, atMs = clock.now()): Promise<TestObject> {
  return as.rest.request(
    "PATCH",
    resourcePath(SERVICE_TOKENS, { namespace: ns, name }),
    { metadata: { annotations: { [ROTATE_REQUESTED_AT_ANNOTATION]: rfc3339(new Date(atMs)) } } },
    PATCH.merge,
  );
}

/** /verify's answer for `value`, polled until it is `status`. */
const verifyBecomes = (value: string, status: number): Promise<void> =>
  expect
    .poll(async () => (await verifyDirect(run.service, value)).status, { timeout: 15_000 })
    .toBe(status);

/** Waits until the token has rotated `count` times and its delivery Secret holds the new value. */
async function rotations(name: string, count: number): Promise<TestObject> {
  const token = await run.admin.tokenWhere(ns, name, `${count} rotations`, (t) => {
    return t.status?.rotations === count;
  });
  if (token.spec?.tokenHash !== undefined) return token;
  await eventually(`the delivery Secret of ${name} to follow the rotation`, async () => {
    const secret = await run.admin.secret(ns, `${name}-token`);
    return secretValue(secret, "tokenId") === token.status?.tokenId ? true : undefined;
  });
  return token;
}

/**
 * A workload: re-reads the delivery Secret and authenticates with what it finds, at /verify and
 * at kube-apiserver, until stopped; counts every failure and the values it used.
 */
function startReader(name: string): {
  stop: () => Promise<{ failures: string[]; seen: Set<string> }>;
} {
  const failures: string[] = [];
  const seen = new Set<string>();
  let running = true;
  const loop = (async () => {
    while (running) {
      const value = await deliveredValue(name);
      seen.add(value);
      const [verify, apiserver] = await Promise.all([
        verifyDirect(run.service, value),
        apiserverStatus(value),
      ]);
      if (verify.status !== 200) failures.push(`/verify ${verify.status}`);
      if (apiserver !== 201) failures.push(`kube-apiserver ${apiserver}`);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { failures, seen };
    },
  };
}

beforeAll(async () => {
  caPem = await readFile(controlPlane().caCertFile, "utf8");
  run = await WebhookRun.start({ clock });
  ns = await run.namespace("rotation");
  userName = `rotation-${run.run}`;
  await run.createUser(run.admin, userName, { role: "Member" });
}, 180_000);

afterAll(async () => {
  await run?.stop();
}, 240_000);

describe("rotation with overlap", () => {
  it("keeps a reader authenticating across rotations; the overlap ends; a second rotation retires the oldest", async () => {
    await run.createToken(run.admin, ns, "app", {
      serviceUser: userName,
      rotation: { overlapMinutes: 60 },
    });
    const first = await run.delivered(ns, "app");
    const reader = startReader("app");

    const createdAt = (await run.admin.token(ns, "app"))?.status?.createdAt;
    await requestRotation(run.admin, "app");
    const rotated = await rotations("app", 1);
    const second = await deliveredValue("app");
    // The reader keeps going until it has authenticated with the new value at both doors.
    await verifyBecomes(second, 200);
    const { failures, seen } = await reader.stop();
    expect(failures).toEqual([]);
    // Booleans only: a token value never reaches a test's output.
    expect(seen.has(first.value) && seen.has(second)).toBe(true);
    expect(second === first.value).toBe(false);
    expect(rotated.status).toMatchObject({
      previousTokenId: first.tokenId,
      createdAt, // the token's expiry does not move
      phase: "Active",
    });
    expect(rotated.status?.tokenId).not.toBe(first.tokenId);
    expect((await verifyDirect(run.service, first.value)).status).toBe(200);
    expect(await apiserverStatus(first.value)).toBe(201);
    await run.admin.eventAbout(ns, "app", "Rotated");

    // Inside the overlap, another rotation: the first value stops at once, the second stays.
    await requestRotation(run.admin, "app", clock.now() + 1000);
    const again = await rotations("app", 2);
    const third = await deliveredValue("app");
    expect(again.status?.previousTokenId).toBe(rotated.status?.tokenId);
    await verifyBecomes(first.value, 401);
    expect((await verifyDirect(run.service, second)).status).toBe(200);
    expect((await verifyDirect(run.service, third)).status).toBe(200);

    // The overlap ends by the controller's clock: the previous record goes, the value fails.
    clock.advance(61 * MINUTE_MS);
    const retired = await run.admin.tokenWhere(ns, "app", "no previous value", (t) => {
      return t.status?.previousTokenId === undefined;
    });
    expect(retired.status?.tokenId).toBe(again.status?.tokenId);
    await verifyBecomes(second, 401);
    expect((await verifyDirect(run.service, third)).status).toBe(200);
    await run.admin.eventAbout(ns, "app", "PreviousValueRetired");
  }, 60_000);

  it("rotates when everyDays have passed since the current value", async () => {
    await run.createToken(run.admin, ns, "daily", {
      serviceUser: userName,
      rotation: { everyDays: 1, overlapMinutes: 0 },
    });
    const before = await run.delivered(ns, "daily");
    clock.advance(DAY_MS + MINUTE_MS);
    const rotated = await rotations("daily", 1);
    expect(rotated.status?.tokenId).not.toBe(before.tokenId);
    const after = await deliveredValue("daily");
    expect((await verifyDirect(run.service, after)).status).toBe(200);
    // overlapMinutes 0: the old value is refused as soon as the controller retires it.
    await verifyBecomes(before.value, 401);
  }, 30_000);

  it("rotates a client-generated token when an Admin changes spec.tokenHash", async () => {
    const oldValue = generateToken();
    const newValue = generateToken();
    await run.createToken(run.admin, ns, "client", {
      serviceUser: userName,
      tokenHash: hashToken(oldValue),
    });
    await run.admin.tokenWhere(ns, "client", "Active", (t) => t.status?.phase === "Active");
    await verifyBecomes(oldValue, 200);
    await run.admin.patchToken(ns, "client", {
      tokenHash: hashToken(newValue),
      rotation: { overlapMinutes: 5 },
    });
    await rotations("client", 1);
    await verifyBecomes(newValue, 200);
    expect((await verifyDirect(run.service, oldValue)).status).toBe(200);
    clock.advance(6 * MINUTE_MS);
    await verifyBecomes(oldValue, 401);
    expect((await verifyDirect(run.service, newValue)).status).toBe(200);
  }, 30_000);

  it("refuses a rotation request, a rotation policy change and a new tokenHash from a non-Admin", async () => {
    const writer = await run.person(`rotation-writer-${run.run}`, await run.writerRole());
    await run.createToken(run.admin, ns, "guarded", { serviceUser: userName });
    await run.createToken(run.admin, ns, "guarded-client", {
      serviceUser: userName,
      tokenHash: hashToken(generateToken()),
    });
    const refused = (promise: Promise<unknown>): Promise<string> =>
      promise.then(
        () => "allowed",
        (error: unknown) => String(error),
      );
    expect(await refused(requestRotation(writer, "guarded"))).toMatch(
      /rotate-requested-at.*Admin|Admin.*rotate-requested-at/s,
    );
    expect(await refused(writer.patchToken(ns, "guarded", { rotation: { everyDays: 1 } }))).toMatch(
      /Admin/,
    );
    expect(
      await refused(
        writer.patchToken(ns, "guarded-client", { tokenHash: hashToken(generateToken()) }),
      ),
    ).toMatch(/Admin/);
    const token = await run.admin.token(ns, "guarded");
    expect(token?.metadata?.annotations?.[ROTATE_REQUESTED_AT_ANNOTATION]).toBeUndefined();
    expect(token?.spec?.rotation).toBeUndefined();
  }, 30_000);
});
