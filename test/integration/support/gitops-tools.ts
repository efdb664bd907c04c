// The GitOps ecosystem's own code, built from the Go module proxy by hack/tools/build.sh
// (cached outside the work tree): kstatus (Flux, kpt), Flux's apply library, the Lua
// interpreter Argo CD embeds, the Helm CLI, and the scanners platform teams run in CI (gitleaks, kubeconform,
// kube-score). Tests run them as the ecosystem would, against live objects and files.
import { execFile, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const BUILD_SCRIPT = fileURLToPath(new URL("../../../hack/tools/build.sh", import.meta.url));

/** Paths of the built tools. */
export interface GitopsTools {
  kstatusCheck: string;
  fluxApply: string;
  argocdHealth: string;
  helm: string;
  gitleaks: string;
  kubeconform: string;
  kubeScore: string;
  /** The directory holding every built tool by its hack/tools folder name. */
  dir: string;
  /** Prometheus' promtool: checks and unit-tests the alerting rules (deploy/monitoring). */
  promtool: string;
}

let built: Promise<GitopsTools> | undefined;

/** Runs hack/tools/build.sh once per test process (it builds only what its cache lacks). */
export function gitopsTools(): Promise<GitopsTools> {
  built ??= new Promise<GitopsTools>((resolve, reject) => {
    const child = spawn("bash", [BUILD_SCRIPT], { stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.once("error", reject);
    child.once("exit", (code) => {
      const dir = stdout.trim().split("\n").pop() ?? "";
      if (code !== 0 || !dir) {
        reject(new Error(`hack/tools/build.sh failed (exit ${String(code)})`));
        return;
      }
      resolve({
        kstatusCheck: `${dir}/kstatus-check`,
        fluxApply: `${dir}/flux-apply`,
        argocdHealth: `${dir}/argocd-health`,
        helm: `${dir}/helm`,
        gitleaks: `${dir}/gitleaks`,
        kubeconform: `${dir}/kubeconform`,
        kubeScore: `${dir}/kube-score`,
        dir,
        promtool: `${dir}/promtool`,
      });
    });
  });
  return built;
}

/** What a tool printed and how it exited. */
export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a tool; never throws on a non-zero exit. */
export async function runTool(path: string, args: string[], input?: string): Promise<ToolResult> {
  return new Promise((resolve) => {
    const child = execFile(path, args, { timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** One verdict line of kstatus-check or argocd-health. */
export interface ObjectVerdict {
  kind: string;
  namespace?: string;
  name: string;
  status: string;
  message: string;
}

/** Parses the JSON lines the verdict tools print, keyed by object name. */
export function verdictsByName(stdout: string): Record<string, ObjectVerdict> {
  const verdicts = stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as ObjectVerdict);
  return Object.fromEntries(verdicts.map((verdict) => [verdict.name, verdict]));
}
