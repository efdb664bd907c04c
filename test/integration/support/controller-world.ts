// The setup the controller fault tests share (crash safety, leader election, idempotence): the
// CRDs and the controller's shipped RBAC, a namespace and a Member ServiceUser for the file.
import { afterAll, beforeAll } from "vitest";
import { retireNamespace, newNamespace, uniqueSuffix } from "./cluster.ts";
import { installCrds, installOperatorRbac } from "./operator.ts";
import { Api } from "./resources.ts";

/** `ns` and `user` are set once the file's `beforeAll` ran. */
export interface ControllerWorld {
  readonly api: Api;
  ns: string;
  user: string;
}

/**
 * Registers the file's setup, and a teardown that deletes the namespace while a controller
 * still runs (it releases the tokens' finalizers), then calls `stopControllers`.
 * `beforeTeardown` runs first, e.g. to start a controller when none survived.
 */
export function controllerWorld(
  prefix: string,
  stopControllers: () => Promise<unknown>,
  beforeTeardown?: () => Promise<void>,
): ControllerWorld {
  const w = { api: new Api() } as ControllerWorld;
  beforeAll(async () => {
    await installCrds();
    await installOperatorRbac();
    w.ns = await newNamespace(prefix);
    w.user = `${prefix}-${uniqueSuffix()}`;
    await w.api.createUser(w.user, { role: "Member" });
  });
  afterAll(async () => {
    await beforeTeardown?.();
    await retireNamespace(w.ns);
    await stopControllers();
  });
  return w;
}
