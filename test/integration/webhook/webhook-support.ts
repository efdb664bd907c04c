// The webhook service in the test process, on the port kube-apiserver's token authenticator
// calls, under its own ServiceAccount identity with only the RBAC in deploy/manifests/.
// Admission is registered per test file with an objectSelector on a label of that file's
// objects, so it never judges what other test files do on the shared control plane.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "pino";
import { expect } from "vitest";
import { kubeconfigYaml, type KubeconfigCredentials } from "../../../src/devenv/kubeconfig.ts";
import { isNotFound, KubeApiError } from "../../../src/k8s/errors.ts";
import type { KubeObject } from "../../../src/k8s/object.ts";
import { KubeRest } from "../../../src/k8s/rest.ts";
import { watchEvents } from "../../../src/k8s/watch-stream.ts";
import {
  mutatingWebhookConfiguration,
  validatingWebhookConfiguration,
} from "../../../src/webhook/admission/registration.ts";
import { startLocalWebhook, type LocalWebhook } from "../../../src/devenv/local-operator.ts";
import { adminKubeConfig, controlPlane, eventually } from "../support/cluster.ts";
import { kubectl } from "../support/kubectl.ts";
import type { Api, TestObject } from "../support/resources.ts";

const manifest = (name: string): string =>
  fileURLToPath(new URL(`../../../deploy/manifests/${name}`, import.meta.url));

/** Applies the webhook's RBAC and the shipped roles (svctokens:admin, role-group bindings). */
export async function installWebhookRbac(
  kubeconfig = controlPlane().adminKubeconfig,
): Promise<void> {
  for (const file of ["webhook-rbac.yaml", "roles.yaml"]) {
    const result = await kubectl(kubeconfig, ["apply", "-f", manifest(file)]);
    if (result.code !== 0) throw new Error(`kubectl apply ${file} failed: ${result.stderr}`);
  }
}

/** A running webhook service and what it needs to be torn down. */
export type TestWebhook = LocalWebhook;

/** What a test may change about the service besides the last-used flush interval. */
export interface TestWebhookOptions {
  maxTokenLifetimeDays?: number;
  /**
   * Serve on a free port instead of the one kube-apiserver's token authenticator calls: a
   * second service next to the file's main one, reached directly over HTTPS.
   */
  sidePort?: boolean;
  /** The Admin-check rate limit; the shipped defaults otherwise. */
  adminCheckBurst?: number;
  adminChecksPerSecond?: number;
}

export async function startTestWebhook(
  log: Logger,
  lastUsedFlushMs = 1000,
  options: TestWebhookOptions = {},
): Promise<TestWebhook> {
  const info = controlPlane();
  return startLocalWebhook(options.sidePort ? { ...info, webhookPort: 0 } : info, {
    log,
    lastUsedFlushMs,
    maxTokenLifetimeDays: options.maxTokenLifetimeDays,
    ...(options.adminCheckBurst === undefined ? {} : { adminCheckBurst: options.adminCheckBurst }),
    ...(options.adminChecksPerSecond === undefined
      ? {}
      : { adminChecksPerSecond: options.adminChecksPerSecond }),
  });
}

const ADMISSION = "/apis/admissionregistration.k8s.io/v1";

/**
 * Registers /validate (and, with `mutating`, /mutate as the shipped manifests do) for objects
 * labelled `label=value` only, and returns a function that removes the registrations (call it before
 * stopping the service).
 */
export async function registerScopedAdmission(
  webhook: TestWebhook,
  label: string,
  value: string,
  options: { mutating?: boolean } = {},
): Promise<() => Promise<void>> {
  const config = {
    endpoint: { url: webhook.url },
    caPem: webhook.caPem,
    name: `svctokens-test-${value}`,
  };
  const configs = [
    { plural: "validatingwebhookconfigurations", config: validatingWebhookConfiguration(config) },
    ...(options.mutating
      ? [{ plural: "mutatingwebhookconfigurations", config: mutatingWebhookConfiguration(config) }]
      : []),
  ];
  const rest = new KubeRest(adminKubeConfig());
  for (const { plural, config } of configs) {
    for (const entry of config.webhooks as { objectSelector?: { matchLabels?: object } }[]) {
      entry.objectSelector = {
        matchLabels: { ...entry.objectSelector?.matchLabels, [label]: value },
      };
    }
    await rest.request<KubeObject>("POST", `${ADMISSION}/${plural}`, config);
  }
  return async () => {
    for (const { plural, config } of configs) {
      await rest.request("DELETE", `${ADMISSION}/${plural}/${config.metadata?.name ?? ""}`);
    }
    rest.close();
  };
}

/** A kubeconfig file that authenticates with nothing but `token` (none: no credentials). */
export async function tokenKubeconfig(dir: string, token?: string): Promise<string> {
  const info = controlPlane();
  const path = join(dir, `token-${Math.random().toString(36).slice(2)}.kubeconfig`);
  const caPem = await readFile(info.caCertFile, "utf8");
  const credentials: KubeconfigCredentials = token === undefined ? {} : { token };
  await writeFile(path, kubeconfigYaml(info.server, caPem, "service-user", credentials), {
    mode: 0o600,
  });
  return path;
}

/** GETs an object as `api`; undefined when it does not exist. */
export async function readObject(api: Api, path: string): Promise<TestObject | undefined> {
  return api.rest.request<TestObject>("GET", path).catch((error: unknown) => {
    if (isNotFound(error)) return undefined;
    throw error;
  });
}

/** Waits until the object at `path` is gone (finalizers done). */
export async function deletedEventually(api: Api, path: string): Promise<void> {
  await eventually(`${path} to be deleted`, async () =>
    (await readObject(api, path)) === undefined ? true : undefined,
  );
}

/** How the webhook refuses an Admin action (`Revoking ServiceToken ns/x`) to a non-Admin. */
export function notAdminDenial(action: string, username: string): string {
  return (
    `${action} is an Admin action and "${username}" is not an Admin: ask an Admin to do it, ` +
    'or get RBAC permission for verb "admin" on servicetokens.svctokens.dev (the ' +
    "svctokens:admin ClusterRole)"
  );
}

/** kube-apiserver's wording of a denial by our admission webhook. */
export function admissionDenial(message: string): string {
  return `admission webhook "resources.svctokens.dev" denied the request: ${message}`;
}

/** Asserts a 403 Forbidden from kube-apiserver whose message contains `message`. */
export function expectForbidden(error: unknown, message: string): void {
  expect(error).toBeInstanceOf(KubeApiError);
  expect(error).toMatchObject({ status: 403, reason: "Forbidden" });
  expect((error as Error).message).toContain(message);
}

/** Modifications of one object seen by a watch, until `stop`. */
export interface ObjectWatch {
  modified: TestObject[];
  /** True if the API server ended the watch early (then `modified` may be incomplete). */
  ended(): boolean;
  stop(): void;
}

/** Watches the object `name` in `collection` from `resourceVersion` on. */
export async function watchObject(
  api: Api,
  collection: string,
  name: string,
  resourceVersion: string,
): Promise<ObjectWatch> {
  const abort = new AbortController();
  const query = `watch=1&fieldSelector=metadata.name%3D${name}&resourceVersion=${resourceVersion}`;
  const res = await api.rest.stream(`${collection}?${query}`, abort.signal);
  const modified: TestObject[] = [];
  let ended = false;
  void (async () => {
    try {
      for await (const event of watchEvents(res)) {
        if (event.type === "MODIFIED") modified.push(event.object);
      }
    } catch {
      // aborted by stop()
    }
    ended = !abort.signal.aborted;
  })();
  return { modified, ended: () => ended, stop: () => abort.abort() };
}
