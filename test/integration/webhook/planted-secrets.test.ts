// Attacks on what the controller and the authenticator trust (issue 9, findings 2 and 6), with
// the shipped RBAC: people who may write Secrets in a token's namespace or in svctokens-system
// plant delivery Secrets and hash records with our labels, owner references and even the
// controller's field manager; a ServiceUser is deleted and recreated as an Admin. Admission is
// registered for this file's labelled objects only, so a plant without the run label is the
// attack without the admission webhook (controller and authenticator must hold on their own),
// and a plant with it shows admission refusing it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVICE_TOKENS, SERVICE_USERS } from "../../../src/api/index.ts";
import { hashRecordName, readHashRecord } from "../../../src/domain/hash-record.ts";
import { PATCH } from "../../../src/k8s/rest.ts";
import { SECRETS, resourcePath, withQuery } from "../../../src/k8s/paths.ts";
import { generateToken, hashToken } from "../../../src/tokens/index.ts";
import { eventually } from "../support/cluster.ts";
import { startController } from "../support/controller.ts";
import { OPERATOR_NAMESPACE } from "../support/operator.ts";
import { readyCondition, secretValue, type Api, type TestObject } from "../support/resources.ts";
import { ShiftableClock } from "../support/shiftable-clock.ts";
import {
  answers,
  expectRefused,
  FAR_FUTURE,
  MANAGED_BY,
  plant,
  plantedRecord,
  readyReason,
  secretWriter,
  warningEvent,
  webhookHasSeenRecordsUpTo,
} from "./planting.ts";
import { RUN_LABEL, WebhookRun } from "./webhook-run.ts";
import { expectForbidden } from "./webhook-support.ts";

const DAY_MS = 24 * 60 * 60 * 1000;
const clock = new ShiftableClock();
let run: WebhookRun;
let ns: string;
let user: string;
let inNamespace: Api;
let inOperatorNamespace: Api;
const admissionRefuses = "so only the svctokens controller may";

const recordPath = (name: string): string =>
  resourcePath(SECRETS, { namespace: OPERATOR_NAMESPACE, name });

beforeAll(async () => {
  // Tokens are generated "two days ago": a 1-day token is already expired in real time.
  clock.advance(-2 * DAY_MS);
  run = await WebhookRun.start({ clock });
  ns = await run.namespace("planted");
  user = `planted-${run.run}`;
  await run.createUser(run.admin, user, { role: "Member" });
  inNamespace = await secretWriter(run, ns, "mallory");
  inOperatorNamespace = await secretWriter(run, OPERATOR_NAMESPACE, "oscar");
}, 180_000);

afterAll(async () => {
  await run?.admin.delete(
    `/apis/rbac.authorization.k8s.io/v1/namespaces/${OPERATOR_NAMESPACE}/rolebindings/svctokens-test-oscar-${run.run}`,
  );
  await run?.stop();
}, 240_000);

describe("(a, and b before generation) Secrets planted before the controller writes them", () => {
  const planted = {
    unlabelled: generateToken(),
    labelled: generateToken(),
    record: generateToken(),
    bothDelivery: generateToken(),
    bothRecord: generateToken(),
  };

  beforeAll(async () => {
    // The controller is down while the tokens are created and the Secrets planted.
    await run.controller?.stop();
    const tokens: Record<string, TestObject> = {};
    for (const name of ["a-unlabelled", "a-labelled", "a-admission", "b-record", "ab-both"]) {
      tokens[name] = await run.createToken(run.admin, ns, name, { serviceUser: user });
    }
    const delivery = (name: string, value: string, labels: Record<string, string>) => ({
      metadata: {
        name: `${name}-token`,
        labels,
        ownerReferences: [
          {
            apiVersion: "svctokens.dev/v1alpha1",
            kind: "ServiceToken",
            name,
            uid: tokens[name]?.metadata?.uid,
            controller: true,
          },
        ],
      },
      type: "svctokens.dev/service-token",
      stringData: { token: value },
    });
    await plant(
      inNamespace,
      ns,
      delivery("a-unlabelled", planted.unlabelled, {}),
      "kubectl-create",
    );
    await plant(inNamespace, ns, delivery("a-labelled", planted.labelled, MANAGED_BY));
    const refused = await plant(
      inNamespace,
      ns,
      delivery("a-admission", generateToken(), { ...MANAGED_BY, [RUN_LABEL]: run.run }),
    ).catch((e: unknown) => e);
    expectForbidden(refused, admissionRefuses);
    const b = tokens["b-record"] as TestObject;
    await plant(
      inOperatorNamespace,
      OPERATOR_NAMESPACE,
      plantedRecord(hashRecordName(b.metadata?.uid ?? ""), b, planted.record),
    );
    // Both names at once (record 63: the record is a first value's pin): a delivery Secret with
    // all our marks and a record with the controller's field manager, of different values.
    const both = tokens["ab-both"] as TestObject;
    await plant(inNamespace, ns, delivery("ab-both", planted.bothDelivery, MANAGED_BY));
    await plant(
      inOperatorNamespace,
      OPERATOR_NAMESPACE,
      plantedRecord(hashRecordName(both.metadata?.uid ?? ""), both, planted.bothRecord),
    );
    run.controller = await startController({ clock });
  }, 120_000);

  it.each([
    ["unlabelled, owned by the token", "a-unlabelled", "unlabelled"],
    ["labelled, owned, under the controller's field manager", "a-labelled", "labelled"],
  ] as const)(
    "a delivery Secret %s is a SecretConflict, never used or overwritten",
    async (_c, name, key) => {
      const token = await readyReason(run, ns, name, "SecretConflict");
      expect(token.status?.tokenId).toBeUndefined();
      await warningEvent(run, ns, name, "SecretConflict");
      expect(secretValue(await run.admin.secret(ns, `${name}-token`), "token")).toBe(planted[key]);
      await expectRefused(run, planted[key]);
    },
  );

  it("Secrets planted at both names that do not agree: SecretConflict, neither used nor overwritten", async () => {
    const token = await readyReason(run, ns, "ab-both", "SecretConflict");
    expect(token.status?.tokenId).toBeUndefined();
    expect(readyCondition(token)?.message).toContain("ab-both-token");
    expect(secretValue(await run.admin.secret(ns, "ab-both-token"), "token")).toBe(
      planted.bothDelivery,
    );
    const record = await run.admin.secret(
      OPERATOR_NAMESPACE,
      hashRecordName(token.metadata?.uid ?? ""),
    );
    expect(record && readHashRecord(record)?.hash).toBe(hashToken(planted.bothRecord));
    await expectRefused(run, planted.bothDelivery);
    await expectRefused(run, planted.bothRecord);
  });

  it("with admission registered, the labelled plant is refused and the token generated", async () => {
    const { value } = await run.delivered(ns, "a-admission");
    expect((await answers(run, value)).authenticated).toBe(true);
  });

  it("a record planted at token-<uid> (created-at 2099) is replaced by a fresh value, never used", async () => {
    // With our marks it is indistinguishable from a record whose value never left the
    // controller (a crash before the delivery Secret): the record is rewritten, its value and
    // its dates are dropped (docs/decisions.md, record 63).
    const { value } = await run.delivered(ns, "b-record");
    expect(value).not.toBe(planted.record);
    const token = (await run.admin.token(ns, "b-record")) as TestObject;
    const before2099 = (text: unknown): boolean =>
      Date.parse(String(text)) < Date.parse(FAR_FUTURE);
    expect(before2099(token.status?.createdAt)).toBe(true);
    const uid = token.metadata?.uid ?? "";
    const record = await run.admin.secret(OPERATOR_NAMESPACE, hashRecordName(uid));
    expect(record && readHashRecord(record)?.hash).toBe(hashToken(value));
    expect(before2099(record?.metadata?.annotations?.["svctokens.dev/created-at"])).toBe(true);
    expect((await answers(run, value)).authenticated).toBe(true);
    await expectRefused(run, planted.record);
  });
});

describe("(b, c, d) hash records planted in svctokens-system", () => {
  let expired: { token: TestObject; value: string };
  let real: { token: TestObject; value: string };
  const attackerValue = generateToken();

  beforeAll(async () => {
    await run.createToken(run.admin, ns, "b-expiring", { serviceUser: user, expiresInDays: 1 });
    await run.createToken(run.admin, ns, "c-real", { serviceUser: user });
    const expiring = await run.delivered(ns, "b-expiring");
    real = {
      value: (await run.delivered(ns, "c-real")).value,
      token: (await run.admin.token(ns, "c-real")) as TestObject,
    };
    clock.advance(2 * DAY_MS); // real time again: the 1-day token expired yesterday
    const token = await run.admin.tokenWhere(
      ns,
      "b-expiring",
      "Expired",
      (t) => t.status?.phase === "Expired",
    );
    expired = { token, value: expiring.value };
    await expectRefused(run, expired.value);

    // (b) the real record of the expired token re-dated to 2099, and a copy under another name.
    const uid = token.metadata?.uid ?? "";
    await inOperatorNamespace.rest.request(
      "PATCH",
      withQuery(recordPath(hashRecordName(uid)), { fieldManager: "oscar" }),
      {
        metadata: {
          annotations: {
            "svctokens.dev/created-at": FAR_FUTURE,
            "svctokens.dev/expires-at": FAR_FUTURE,
          },
        },
      },
      PATCH.merge,
    );
    await plant(
      inOperatorNamespace,
      OPERATOR_NAMESPACE,
      plantedRecord(`${hashRecordName(uid)}-2099`, token, expired.value),
    );
    // (c) the real token's value in many records: other uids' canonical names, another name.
    const realUid = real.token.metadata?.uid ?? "";
    for (const fake of [
      "00000000-0000-4000-8000-000000000001",
      "00000000-0000-4000-8000-000000000002",
    ]) {
      const copy = plantedRecord(hashRecordName(fake), real.token, real.value, {
        "svctokens.dev/token-uid": fake,
      });
      await plant(inOperatorNamespace, OPERATOR_NAMESPACE, copy);
    }
    await plant(
      inOperatorNamespace,
      OPERATOR_NAMESPACE,
      plantedRecord(`${hashRecordName(realUid)}-copy`, real.token, real.value),
    );
    // (d) the attacker's own value under a non-canonical name, pointing at the real token.
    await plant(
      inOperatorNamespace,
      OPERATOR_NAMESPACE,
      plantedRecord(`${hashRecordName(realUid)}-x`, real.token, attackerValue),
    );
    await webhookHasSeenRecordsUpTo(run, ns, user);
  }, 180_000);

  it("(b) a record re-dated or copied to 2099 extends nothing: the expired token stays refused", async () => {
    await expectRefused(run, expired.value);
    const now = await run.admin.token(ns, "b-expiring");
    expect(now?.status?.phase).toBe("Expired");
    expect(now?.status?.expiresAt).toBe(expired.token.status?.expiresAt);
    expect(now?.status?.createdAt).toBe(expired.token.status?.createdAt);
  });

  it("(c) the same value planted in many records does not lock out the real token", async () => {
    expect(await answers(run, real.value)).toMatchObject({ verify: 200, authenticated: true });
  });

  it("(d) a record under a non-canonical name does not authenticate", async () => {
    await expectRefused(run, attackerValue);
  });

  it("with admission registered, planting a labelled record is refused", async () => {
    const labelled = plantedRecord("token-planted-admission", real.token, attackerValue, {
      [RUN_LABEL]: run.run,
    });
    expectForbidden(
      await plant(inOperatorNamespace, OPERATOR_NAMESPACE, labelled).catch((e: unknown) => e),
      admissionRefuses,
    );
  });
});

describe("(e) a ServiceUser deleted and recreated under the same name", () => {
  it("does not inherit the old user's token, not even as an Admin", async () => {
    const name = `e-${run.run}`;
    await run.createUser(run.admin, name, { role: "Member" });
    await run.createToken(run.admin, ns, "e-old", { serviceUser: name });
    const { value } = await run.delivered(ns, "e-old");
    await run.admin.patchToken(ns, "e-old", { revoked: true });
    await run.admin.tokenWhere(ns, "e-old", "Revoked", (t) => t.status?.phase === "Revoked");
    await run.admin.patchUser(name, { active: false });
    // The old token survives its user (as if restored from a backup): orphaned, not collected.
    // The controller is down meanwhile, so it does not point the token at the dying user again.
    await run.controller?.stop();
    // Orphaned by an Admin, not by the garbage collector's Orphan policy: kube-controller-manager
    // may not watch ServiceTokens yet this soon after the CRDs were installed (it rediscovers
    // resources every 30 s), and would then collect the token as a dangling dependent instead.
    await run.admin.rest.request(
      "PATCH",
      resourcePath(SERVICE_TOKENS, { namespace: ns, name: "e-old" }),
      { metadata: { ownerReferences: null } },
      PATCH.merge,
    );
    await run.admin.delete(resourcePath(SERVICE_USERS, { name }));
    await eventually("the ServiceUser to be gone", async () =>
      (await run.admin.user(name)) ? undefined : true,
    );
    const recreated = await run.createUser(run.admin, name, { role: "Admin" });
    await run.admin.patchToken(ns, "e-old", { revoked: false });
    run.controller = await startController({ clock });

    const token = await readyReason(run, ns, "e-old", "ServiceUserReplaced");
    expect(token.status?.serviceUserUid).not.toBe(recreated.metadata?.uid);
    const facts = run.service.service.caches.facts;
    await eventually("the webhook to see the new user and the restored token", () =>
      Promise.resolve(
        facts.serviceUser(name)?.metadata.uid === recreated.metadata?.uid &&
          facts.serviceToken(ns, "e-old")?.spec.revoked === false
          ? true
          : undefined,
      ),
    );
    await expectRefused(run, value);
  });
});
