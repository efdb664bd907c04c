// The webhook service of bench:controller, in a process of its own as shipped, with only the
// MutatingWebhookConfiguration registered (record 64): ServiceToken creates get the controller's
// finalizer and owner reference from admission, so the product's creates pay the round trip
// and the controller does not patch metadata. The floor's creates see no admission.
import { fork } from "node:child_process";
import { pino } from "pino";
import type { ControlPlaneInfo } from "../../src/devenv/identities.ts";
import { deployPath, runKubectl } from "../../src/devenv/kubectl.ts";
import { startLocalWebhook } from "../../src/devenv/local-operator.ts";
import { resourcePath } from "../../src/k8s/paths.ts";
import type { KubeRest } from "../../src/k8s/rest.ts";
import { SERVICE_TOKENS } from "../../src/api/index.ts";
import { mutatingWebhookConfiguration } from "../../src/webhook/admission/registration.ts";

const MUTATING = "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations";

/** In the child: serve, then say the CA of the serving certificate. */
if (process.send) {
  process.once("message", (info: ControlPlaneInfo) => {
    startLocalWebhook(info, { log: pino({ level: "warn" }) }).then(
      (webhook) => process.send?.({ caPem: webhook.caPem }),
      (error: unknown) => {
        process.stderr.write(`webhook failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  });
}

/**
 * Starts the webhook service in a child process, registers /mutate for ServiceToken creates and
 * waits until a dry-run create comes back mutated (the ServiceUser `user` is in its cache).
 * Returns a function that unregisters and stops it.
 */
export async function startMutatingWebhook(
  info: ControlPlaneInfo,
  rest: KubeRest,
  probe: { namespace: string; user: string },
): Promise<() => Promise<void>> {
  await runKubectl(info.adminKubeconfig, [
    "apply",
    "-f",
    deployPath("manifests/webhook-rbac.yaml"),
  ]);
  const child = fork(new URL(import.meta.url).pathname, [], { execArgv: process.execArgv });
  const { caPem } = await new Promise<{ caPem: string }>((resolve, reject) => {
    child.once("message", (message) => resolve(message as { caPem: string }));
    child.once("exit", (code) => reject(new Error(`webhook exited with ${String(code)}`)));
    child.send(info);
  });
  const config = mutatingWebhookConfiguration({
    endpoint: { url: `https://127.0.0.1:${info.webhookPort}` },
    caPem,
  });
  await rest.request("POST", MUTATING, config);
  const dryRun = `${resourcePath(SERVICE_TOKENS, { namespace: probe.namespace })}?dryRun=All`;
  for (;;) {
    const token = await rest.request<{ metadata?: { ownerReferences?: unknown[] } }>(
      "POST",
      dryRun,
      {
        apiVersion: "svctokens.dev/v1alpha1",
        kind: "ServiceToken",
        metadata: { name: "probe" },
        spec: { serviceUser: probe.user },
      },
    );
    if ((token.metadata?.ownerReferences ?? []).length > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return async () => {
    await rest.request("DELETE", `${MUTATING}/${String(config.metadata?.name)}`);
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
  };
}
