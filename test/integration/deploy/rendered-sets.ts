// Everything deploy/ ships, rendered as a user would apply it, for the manifest checkers
// (kubeconform, kube-score): the kustomize base, every overlay, the CRDs and — once it exists —
// the Helm chart, rendered by the helm built from hack/tools/helm.
import { existsSync } from "node:fs";
import { OPERATOR_NAMESPACE } from "../support/operator.ts";
import { runTool } from "../support/gitops-tools.ts";
import { adminKubectl, deployPath, overlayNames } from "./deploy-support.ts";

/** One set of documents a user applies, as the YAML stream they apply. */
export interface RenderedSet {
  /** Where it comes from, e.g. `deploy/overlays/cert-manager`. */
  name: string;
  yaml: string;
}

const CHART = "helm/svctokens";

/** True when the Helm chart is part of this tree (it is checked like the rest from then on). */
export function chartExists(): boolean {
  return existsSync(deployPath(`${CHART}/Chart.yaml`));
}

async function kustomize(dir: string): Promise<RenderedSet> {
  const result = await adminKubectl(["kustomize", deployPath(dir)]);
  if (result.code !== 0) throw new Error(`kubectl kustomize deploy/${dir}: ${result.stderr}`);
  return { name: `deploy/${dir}`, yaml: result.stdout };
}

/** `helm template` of the chart with its default values, in the operator's namespace. */
async function helmTemplate(toolsDir: string): Promise<RenderedSet> {
  const helm = `${toolsDir}/helm`;
  // The chart and hack/tools/helm arrive together; a chart without the tool is a broken tree.
  if (!existsSync(helm)) throw new Error(`deploy/${CHART} exists but ${helm} was not built`);
  const args = ["template", "svctokens", deployPath(CHART), "--namespace", OPERATOR_NAMESPACE];
  const result = await runTool(helm, args);
  if (result.code !== 0) throw new Error(`helm template deploy/${CHART}: ${result.stderr}`);
  return { name: `deploy/${CHART}`, yaml: result.stdout };
}

/** The base, every overlay, the CRDs, and the chart when it exists. */
export async function renderedSets(toolsDir: string): Promise<RenderedSet[]> {
  const dirs = ["manifests", ...overlayNames().map((name) => `overlays/${name}`), "crds"];
  const sets = await Promise.all(dirs.map(kustomize));
  if (chartExists()) sets.push(await helmTemplate(toolsDir));
  return sets;
}
