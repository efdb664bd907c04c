// The setup the controller-kill fault tests share: the CRDs and shipped RBAC, a namespace and a
// Member ServiceUser, a webhook service on a side port (to check values without kube-apiserver),
// and the controller processes a test starts (SIGKILLed mid-way, then replaced). Teardown runs
// while the surviving controller still releases the tokens' finalizers.
import { pino } from "pino";
import { afterAll, beforeAll } from "vitest";
import { newNamespace, retireNamespace, uniqueSuffix } from "../support/cluster.ts";
import type { ControllerProcess } from "../support/controller-process.ts";
import { installCrds, installOperatorRbac } from "../support/operator.ts";
import { Api } from "../support/resources.ts";
import { startTestWebhook, type TestWebhook } from "../webhook/webhook-support.ts";

/** Set once the file's `beforeAll` ran. */
export interface KillWorld {
  readonly api: Api;
  ns: string;
  user: string;
  webhook: TestWebhook;
  /** Controller processes the test started; the teardown stops those still running. */
  readonly processes: ControllerProcess[];
}

export function killWorld(prefix: string): KillWorld {
  const w = { api: new Api(), processes: [] as ControllerProcess[] } as unknown as KillWorld;
  beforeAll(async () => {
    await installCrds();
    await installOperatorRbac();
    w.ns = await newNamespace(prefix);
    w.user = `${prefix}-${uniqueSuffix()}`;
    await w.api.createUser(w.user, { role: "Member" });
    w.webhook = await startTestWebhook(pino({ level: "silent" }), 60_000, { sidePort: true });
  });
  afterAll(async () => {
    if (w.ns) await retireNamespace(w.ns);
    if (w.user) await w.api.delete(`/apis/svctokens.dev/v1alpha1/serviceusers/${w.user}`);
    await w.webhook?.stop();
    await Promise.all(w.processes.map((p) => p.kill("SIGTERM")));
  });
  return w;
}
