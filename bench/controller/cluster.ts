// What the controller benchmarks share: a fresh local control plane with the CRDs and the
// operator namespace, a client, a pool of concurrent workers, and writes counted by verb.
import { execFileSync } from "node:child_process";
import { SERVICE_USERS } from "../../src/api/index.ts";
import { LocalControlPlane } from "../../src/devenv/controlplane.ts";
import { loadKubeConfig } from "../../src/k8s/kubeconfig.ts";
import { resourcePath } from "../../src/k8s/paths.ts";
import { KubeRest } from "../../src/k8s/rest.ts";
import type { KubeConfig } from "@kubernetes/client-node";

export const OPERATOR_NAMESPACE = "svctokens-system";
export const say = (message: string): boolean => process.stdout.write(`${message}\n`);

/** A control plane ready for the controller, and an admin client. */
export interface BenchCluster {
  controlPlane: LocalControlPlane;
  kubeConfig: KubeConfig;
  rest: KubeRest;
  kubectl: (...args: string[]) => string;
}

/** Starts a control plane, installs the CRDs and creates the operator namespace. */
export async function startBenchCluster(): Promise<BenchCluster> {
  const controlPlane = await LocalControlPlane.start();
  const kubectl = (...args: string[]): string =>
    execFileSync("kubectl", args, {
      env: { ...process.env, KUBECONFIG: controlPlane.info.adminKubeconfig },
      maxBuffer: 64 * 1024 * 1024,
    }).toString();
  kubectl("apply", "--server-side", "-f", new URL("../../deploy/crds", import.meta.url).pathname);
  kubectl(
    "wait",
    "--for=condition=Established",
    "crd/servicetokens.svctokens.dev",
    "crd/serviceusers.svctokens.dev",
  );
  kubectl("create", "namespace", OPERATOR_NAMESPACE);
  const kubeConfig = loadKubeConfig(controlPlane.info.adminKubeconfig);
  return { controlPlane, kubeConfig, rest: new KubeRest(kubeConfig), kubectl };
}

/** Creates a Member ServiceUser; returns its uid. */
export async function createServiceUser(rest: KubeRest, name: string): Promise<string> {
  const user = await rest.request<{ metadata: { uid: string } }>(
    "POST",
    resourcePath(SERVICE_USERS),
    {
      apiVersion: "svctokens.dev/v1alpha1",
      kind: "ServiceUser",
      metadata: { name },
      spec: { role: "Member" },
    },
  );
  return user.metadata.uid;
}

/** Runs `work(i)` for i in [0, count) on `workers` concurrent loops. */
export async function inParallel(
  count: number,
  workers: number,
  work: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const loop = async (): Promise<void> => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: workers }, loop));
}

/** The sum of a writesByVerb map. */
export function totalWrites(writes: Map<string, number>): number {
  return [...writes.values()].reduce((sum, n) => sum + n, 0);
}

/** Prints writes per token by verb and resource; returns the total per token. */
export function printWritesPerToken(writes: Map<string, number>, tokens: number): number {
  for (const [key, n] of [...writes].sort(([a], [b]) => a.localeCompare(b))) {
    say(`  ${key.padEnd(32)} ${String(n).padStart(7)}  ${(n / tokens).toFixed(3)} per token`);
  }
  const total = totalWrites(writes);
  say(
    `  ${"all writes".padEnd(32)} ${String(total).padStart(7)}  ${(total / tokens).toFixed(3)} per token`,
  );
  return total / tokens;
}
