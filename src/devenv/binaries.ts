// Locates (building on first use) etcd, kube-apiserver and kube-controller-manager.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const BUILD_SCRIPT = fileURLToPath(new URL("../../hack/controlplane/build.sh", import.meta.url));

/** Paths of the control-plane binaries. */
export interface ControlPlaneBinaries {
  dir: string;
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
}

/**
 * Runs hack/controlplane/build.sh, which builds only what its version-keyed cache lacks.
 * Its progress (stderr) goes to ours, so a first build shows what it is doing.
 */
export async function ensureControlPlaneBinaries(): Promise<ControlPlaneBinaries> {
  const dir = await new Promise<string>((resolve, reject) => {
    const child = spawn("bash", [BUILD_SCRIPT], { stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.once("error", reject);
    child.once("exit", (code) => {
      const lastLine = stdout.trim().split("\n").pop() ?? "";
      if (code === 0 && lastLine) resolve(lastLine);
      else reject(new Error(`hack/controlplane/build.sh failed (exit ${String(code)})`));
    });
  });
  return {
    dir,
    etcd: `${dir}/etcd`,
    kubeApiserver: `${dir}/kube-apiserver`,
    kubeControllerManager: `${dir}/kube-controller-manager`,
  };
}
