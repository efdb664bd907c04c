// The world of the ServiceToken lifecycle tests: one controller on a shiftable clock, one
// namespace and one ServiceUser, and the reads those tests share.
import { afterAll, beforeAll } from "vitest";
import type { Controller } from "../../../src/controller/controller.ts";
import { hashRecordName } from "../../../src/domain/hash-record.ts";
import { createLogger } from "../../../src/log.ts";
import { retireNamespace, newNamespace, uniqueSuffix } from "../support/cluster.ts";
import { startController } from "../support/controller.ts";
import { OPERATOR_NAMESPACE, installCrds, installOperatorRbac } from "../support/operator.ts";
import { Api, secretValue, type TestObject } from "../support/resources.ts";
import { ShiftableClock } from "../support/shiftable-clock.ts";

export const DAY_MS = 24 * 60 * 60 * 1000;

/** What the tests of one file share; `controller`, `ns` and `user` are set once `beforeAll` ran. */
export interface LifecycleWorld {
  readonly api: Api;
  readonly clock: ShiftableClock;
  /** Every line the controller logged. */
  readonly logLines: string[];
  controller: Controller;
  ns: string;
  /** A Member of team "platform". */
  user: string;
}

/** Installs the operator, starts its controller (debug log captured) and tears it down after. */
export function lifecycleWorld(): LifecycleWorld {
  const logLines: string[] = [];
  const w = { api: new Api(), clock: new ShiftableClock(), logLines } as LifecycleWorld;
  const logSink = { write: (line: string): void => void logLines.push(line) };
  beforeAll(async () => {
    await installCrds();
    await installOperatorRbac();
    w.ns = await newNamespace("tokens");
    w.user = `ci-${uniqueSuffix()}`;
    await w.api.createUser(w.user, { role: "Member", teams: ["platform"] });
    w.controller = await startController({ clock: w.clock, log: createLogger("debug", logSink) });
  });
  afterAll(async () => {
    if (w.ns) await retireNamespace(w.ns);
    await w.controller?.stop();
  });
  return w;
}

export const uidOf = (object: TestObject): string => object.metadata?.uid ?? "";
export const active = (token: TestObject): boolean => token.status?.phase === "Active";

/** The token's hash record in the operator's namespace, if any. */
export async function hashRecordOf(api: Api, token: TestObject): Promise<TestObject | undefined> {
  return api.secret(OPERATOR_NAMESPACE, hashRecordName(uidOf(token)));
}

/** Every token value delivered in the namespace. */
export async function deliveredValues(api: Api, ns: string): Promise<string[]> {
  const secrets = await api.rest.request<{ items: TestObject[] }>(
    "GET",
    `/api/v1/namespaces/${ns}/secrets?fieldSelector=type%3Dsvctokens.dev%2Fservice-token`,
  );
  return secrets.items.map((secret) => secretValue(secret, "token") ?? "").filter(Boolean);
}

/** The ServiceTokens in the namespace that belong to `user`. */
export async function tokensOf(api: Api, ns: string, user: string): Promise<TestObject[]> {
  const list = await api.rest.request<{ items: TestObject[] }>(
    "GET",
    `/apis/svctokens.dev/v1alpha1/namespaces/${ns}/servicetokens`,
  );
  return list.items.filter((t) => t.spec?.serviceUser === user);
}
