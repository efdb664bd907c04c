// Access to the shared local control plane from integration tests.
import { randomBytes } from "node:crypto";
import { ApiException, CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { inject, vi } from "vitest";
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
