// The machine's kubectl, for installing manifests the way a platform team would.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

/** Absolute path of a file or folder under deploy/. */
export function deployPath(relative: string): string {
  return fileURLToPath(new URL(`../../deploy/${relative}`, import.meta.url));
}

/** Runs kubectl with `kubeconfig`; resolves with stdout, rejects with stderr on failure. */
export async function runKubectl(
  kubeconfig: string,
  args: string[],
  input?: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      "kubectl",
      args,
      { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 120_000 },
      (error, stdout, stderr) => {
        if (error)
          reject(new Error(`kubectl ${args.join(" ")}: ${stderr.trim() || error.message}`));
        else resolve(stdout);
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Applies the CRDs and waits until they are served. */
export async function installCrds(kubeconfig: string): Promise<void> {
  await runKubectl(kubeconfig, [
    "apply",
    "--server-side",
    "--force-conflicts",
    "-f",
    deployPath("crds"),
  ]);
  await runKubectl(kubeconfig, [
    "wait",
    "--for=condition=Established",
    "--timeout=60s",
    "crd/serviceusers.svctokens.dev",
    "crd/servicetokens.svctokens.dev",
  ]);
}
