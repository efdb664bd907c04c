// Access to the shared local control plane from integration tests.
import { randomBytes } from "node:crypto";
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from "@kubernetes/client-node";
import { inject, vi } from "vitest";
import { API_GROUP, API_VERSION } from "../../../src/api/constants.ts";
import {
  writeUserKubeconfig,
  type ControlPlaneInfo,
  type LocalUser,
} from "../../../src/devenv/identities.ts";

/** The running control plane started by the global setup. */
export function controlPlane(): ControlPlaneInfo {
  return inject("controlPlane");
}

/** A KubeConfig loaded from a kubeconfig file. */
export function kubeConfigFrom(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

/** KubeConfig of the cluster admin (system:masters). */
export function adminKubeConfig(): KubeConfig {
  return kubeConfigFrom(controlPlane().adminKubeconfig);
}

/** Issues a client certificate for a user and returns the path of its kubeconfig. */
export async function addUser(user: LocalUser): Promise<string> {
  return writeUserKubeconfig(controlPlane(), user);
}

/** A short random suffix, so parallel test files never collide on names. */
export function uniqueSuffix(): string {
  return randomBytes(3).toString("hex");
}

/** Creates a namespace of its own for a test file and returns its name. */
export async function newNamespace(prefix: string): Promise<string> {
  const name = `${prefix}-${uniqueSuffix()}`;
  await adminKubeConfig()
    .makeApiClient(CoreV1Api)
    .createNamespace({ body: { metadata: { name } } });
  return name;
}

/**
 * Polls `check` with vitest's `vi.waitFor` until it returns a value other than undefined (or
 * stops throwing), and names what was awaited when it times out.
 */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  try {
    return await vi.waitFor(
      async () => {
        const value = await check();
        if (value === undefined) throw new Error("not yet");
        return value;
      },
      { timeout: timeoutMs, interval: 200 },
    );
  } catch (error) {
    const detail =
      error instanceof Error && error.message !== "not yet" ? `: ${error.message}` : "";
    throw new Error(`timed out waiting for ${what}${detail}`, { cause: error });
  }
}

/**
 * Deletes a namespace and waits until it is gone. Call it while the controller still runs:
 * tokens carry its finalizer, and a later test must not inherit half-deleted objects.
 */
export async function deleteNamespaceAndWait(name: string, timeoutMs = 120_000): Promise<void> {
  const core = adminKubeConfig().makeApiClient(CoreV1Api);
  await core.deleteNamespace({ name }).catch(() => undefined);
  await eventually(
    `namespace ${name} to be deleted`,
    async () => {
      const gone = await core
        .readNamespace({ name })
        .then(() => false)
        .catch((error: unknown) => error instanceof ApiException && error.code === 404);
      return gone ? true : undefined;
    },
    timeoutMs,
  );
}

/**
 * Ends a test file's namespace quickly: revokes and deletes its ServiceTokens and waits until
 * they are gone (call it while the controller still runs: it releases their finalizers), then
 * asks for the namespace's deletion without waiting. kube-controller-manager's namespace
 * controller takes ~5 s per namespace; nothing of ours is left in it for a later file to
 * inherit, so that wait bought nothing. Falls back to the slow way when the fast one fails.
 */
export async function retireNamespace(name: string): Promise<void> {
  try {
    await deleteTokensOf(name);
  } catch {
    await deleteNamespaceAndWait(name);
    return;
  }
  await adminKubeConfig().makeApiClient(CoreV1Api).deleteNamespace({ name }).catch(ignoreNotFound);
}

async function deleteTokensOf(namespace: string): Promise<void> {
  const objects = adminKubeConfig().makeApiClient(CustomObjectsApi);
  const tokens = { group: API_GROUP, version: API_VERSION, namespace, plural: "servicetokens" };
  const list = async () =>
    ((await objects.listNamespacedCustomObject(tokens)) as { items: TokenItem[] }).items;
  // Admission lets an Admin delete only tokens that are not Active: revoke them first.
  const revoke = { spec: { revoked: true } };
  await Promise.all(
    (await list())
      .filter((token) => token.spec?.revoked !== true && !token.metadata?.deletionTimestamp)
      .map((token) =>
        objects.patchNamespacedCustomObject(
          { ...tokens, name: token.metadata?.name ?? "", body: revoke },
          setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
        ),
      ),
  );
  await objects.deleteCollectionNamespacedCustomObject(tokens);
  await eventually(`the ServiceTokens of namespace ${namespace} to be deleted`, async () =>
    (await list()).length === 0 ? true : undefined,
  );
}

interface TokenItem {
  metadata?: { name?: string; deletionTimestamp?: string };
  spec?: { revoked?: boolean };
}

function ignoreNotFound(error: unknown): undefined {
  if (error instanceof ApiException && error.code === 404) return undefined;
  throw error;
}
