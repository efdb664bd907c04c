// The webhook service in the test process, on the port kube-apiserver's token authenticator
// calls, under its own ServiceAccount identity with only the RBAC in deploy/manifests/.
// Admission is registered per test file with an objectSelector on a label of that file's
// objects, so it never judges what other test files do on the shared control plane.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "pino";
import { kubeconfigYaml } from "../../../src/devenv/kubeconfig.ts";
import type { KubeObject } from "../../../src/k8s/object.ts";
import { KubeRest } from "../../../src/k8s/rest.ts";
import { validatingWebhookConfiguration } from "../../../src/webhook/registration.ts";
import { startLocalWebhook, type LocalWebhook } from "../../../src/devenv/local-operator.ts";
import { adminKubeConfig, controlPlane } from "../support/cluster.ts";
import { kubectl } from "../support/kubectl.ts";

const manifest = (name: string): string =>
  fileURLToPath(new URL(`../../../deploy/manifests/${name}`, import.meta.url));

/** Applies the webhook's RBAC and the shipped roles (svctokens:admin, role-group bindings). */
export async function installWebhookRbac(): Promise<void> {
  for (const file of ["webhook-rbac.yaml", "roles.yaml"]) {
    const result = await kubectl(controlPlane().adminKubeconfig, ["apply", "-f", manifest(file)]);
    if (result.code !== 0) throw new Error(`kubectl apply ${file} failed: ${result.stderr}`);
  }
}

/** A running webhook service and what it needs to be torn down. */
export type TestWebhook = LocalWebhook;

export async function startTestWebhook(log: Logger, lastUsedFlushMs = 1000): Promise<TestWebhook> {
  return startLocalWebhook(controlPlane(), { log, lastUsedFlushMs });
}

const CONFIGURATIONS = "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations";

/**
 * Registers /validate for objects labelled `label=value` only, and returns a function that
 * removes the registration (call it before stopping the service).
 */
export async function registerScopedAdmission(
  webhook: TestWebhook,
  label: string,
  value: string,
): Promise<() => Promise<void>> {
  const config = validatingWebhookConfiguration({
    endpoint: { url: webhook.url },
    caPem: webhook.caPem,
    name: `svctokens-test-${value}`,
  });
  for (const entry of config.webhooks as { objectSelector?: { matchLabels?: object } }[]) {
    entry.objectSelector = {
      matchLabels: { ...entry.objectSelector?.matchLabels, [label]: value },
    };
  }
  const rest = new KubeRest(adminKubeConfig());
  await rest.request<KubeObject>("POST", CONFIGURATIONS, config);
  return async () => {
    await rest.request("DELETE", `${CONFIGURATIONS}/${config.metadata?.name ?? ""}`);
    rest.close();
  };
}

/** A kubeconfig file that authenticates with nothing but `token`. */
export async function tokenKubeconfig(dir: string, token: string): Promise<string> {
  const info = controlPlane();
  const path = join(dir, `token-${Math.random().toString(36).slice(2)}.kubeconfig`);
  const caPem = await readFile(info.caCertFile, "utf8");
  await writeFile(path, kubeconfigYaml(info.server, caPem, "service-user", { token }), {
    mode: 0o600,
  });
  return path;
}
