// Installing the operator's pieces on the shared control plane, the way a platform team would:
// CRDs and RBAC from deploy/, and identities that hold nothing but that RBAC.
import { fileURLToPath } from "node:url";
import { controlPlane, addUser } from "./cluster.ts";
import { kubectl } from "./kubectl.ts";
import { OPERATOR_NAMESPACE, operatorServiceAccount } from "../../../src/devenv/local-operator.ts";

export { OPERATOR_NAMESPACE };
const deployPath = (path: string): string =>
  fileURLToPath(new URL(`../../../deploy/${path}`, import.meta.url));

async function kubectlOk(
  args: string[],
  kubeconfig = controlPlane().adminKubeconfig,
): Promise<string> {
  const result = await kubectl(kubeconfig, args);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(" ")} failed: ${result.stderr}`);
  return result.stdout;
}

/**
 * Applies the CRDs and waits until the API server serves them. `kubeconfig`: the admin of
 * another control plane than the shared one (fault tests run their own).
 */
export async function installCrds(kubeconfig?: string): Promise<void> {
  await kubectlOk(
    ["apply", "--server-side", "--force-conflicts", "-f", deployPath("crds")],
    kubeconfig,
  );
  await kubectlOk(
    [
      "wait",
      "--for=condition=Established",
      "--timeout=60s",
      "crd/serviceusers.svctokens.dev",
      "crd/servicetokens.svctokens.dev",
    ],
    kubeconfig,
  );
}

/**
 * Applies the operator namespace and the shipped RBAC of the controller, the webhook and the
 * roles, in one kubectl call (the namespace first: kubectl applies files in order).
 */
export async function installOperatorRbac(kubeconfig?: string): Promise<void> {
  const files = ["namespace", "controller-rbac", "webhook-rbac", "roles"];
  const args = files.flatMap((file) => ["-f", deployPath(`manifests/${file}.yaml`)]);
  await kubectlOk(["apply", ...args], kubeconfig);
}

/** A kubeconfig for the controller's ServiceAccount identity (a client certificate). */
export async function controllerKubeconfig(): Promise<string> {
  return addUser(operatorServiceAccount("svctokens-controller"));
}

/** A kubeconfig for the webhook's ServiceAccount identity. */
export async function webhookKubeconfig(): Promise<string> {
  return addUser(operatorServiceAccount("svctokens-webhook"));
}
