// The Helm chart deploy/helm/svctokens: rendered and linted by the Helm CLI built from the Go
// module proxy (hack/tools/helm), and what tells its objects apart from the kustomize base's.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { V1Deployment } from "@kubernetes/client-node";
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "../../../src/k8s/object.ts";
import { gitopsTools, runTool, type ToolResult } from "../support/gitops-tools.ts";
import { deployPath } from "./deploy-support.ts";

/** The chart's folder. */
export const CHART_DIR = deployPath("helm/svctokens");

/** Chart values, as a values file would hold them. */
export type ChartValues = Record<string, unknown>;

/**
 * Labels the chart adds to every object's metadata on top of the base's: Helm's conventional
 * ones. The only difference from the kustomize base the equivalence test forgives.
 */
export const HELM_LABELS = [
  "helm.sh/chart",
  "app.kubernetes.io/managed-by",
  "app.kubernetes.io/instance",
  "app.kubernetes.io/version",
] as const;

/** Runs the Helm CLI with `values` in a values file; never throws on a non-zero exit. */
export async function helm(args: string[], values: ChartValues = {}): Promise<ToolResult> {
  const { helm: helmPath } = await gitopsTools();
  const dir = await mkdtemp(join(tmpdir(), "svctokens-helm-"));
  try {
    const valuesFile = join(dir, "values.json");
    await writeFile(valuesFile, JSON.stringify(values));
    return await runTool(helmPath, [...args, "--values", valuesFile]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The chart rendered as `helm template` prints it (CRDs included): YAML text for kubectl,
 * kubeconform or kube-score. Throws with Helm's message when the values are refused.
 */
export async function renderChartYaml(values: ChartValues = {}): Promise<string> {
  const key = JSON.stringify(values);
  let rendered = renderings.get(key);
  if (!rendered) {
    rendered = helm(["template", "svctokens", CHART_DIR, "--include-crds"], values).then(
      (result) => {
        if (result.code !== 0) throw new Error(`helm template failed: ${result.stderr}`);
        return result.stdout;
      },
    );
    renderings.set(key, rendered);
  }
  return rendered;
}

/** Renderings by values: the chart does not change while a test file runs. */
const renderings = new Map<string, Promise<string>>();

/**
 * The chart's objects. Parsed as YAML 1.1, as Kubernetes' own YAML reader does (a mode written
 * 0440 is octal there).
 */
export async function renderChart(values: ChartValues = {}): Promise<KubeObject[]> {
  return parseAllDocuments(await renderChartYaml(values), { version: "1.1" })
    .map((document) => document.toJS() as KubeObject | null)
    .filter((object): object is KubeObject => object !== null);
}

/** The object without the labels in HELM_LABELS (and without `labels` if none remain). */
export function withoutHelmLabels(object: KubeObject): KubeObject {
  const { labels, ...metadata } = object.metadata ?? {};
  const kept = Object.entries(labels ?? {}).filter(
    ([key]) => !(HELM_LABELS as readonly string[]).includes(key),
  );
  return {
    ...object,
    metadata: kept.length > 0 ? { ...metadata, labels: Object.fromEntries(kept) } : metadata,
  };
}

const sortedByName = <T extends { name: string }>(items: T[] | undefined): T[] | undefined =>
  items && [...items].sort((a, b) => a.name.localeCompare(b.name));

/**
 * A Deployment with its containers' env and volumeMounts and its volumes sorted by name.
 * Kubernetes merges these lists by name (their order means nothing here: no $(VAR)
 * references), and kustomize's strategic-merge patches move patched entries to the front.
 */
export function withNamedListsSorted(object: KubeObject): KubeObject {
  if (object.kind !== "Deployment") return object;
  const deployment = object as V1Deployment;
  const pod = deployment.spec?.template.spec;
  if (!deployment.spec || !pod) return object;
  const containers = pod.containers.map((container) => ({
    ...container,
    env: sortedByName(container.env),
    volumeMounts: sortedByName(container.volumeMounts),
  }));
  const template = {
    ...deployment.spec.template,
    spec: { ...pod, containers, volumes: sortedByName(pod.volumes) },
  };
  return { ...deployment, spec: { ...deployment.spec, template } } as KubeObject;
}

/** Every toggle flipped from its default, and every setting set. */
export const ALL_TOGGLES: ChartValues = {
  image: { repository: "registry.example.com/platform/svctokens", tag: "9.9.9" },
  tls: { mode: "certManager" },
  monitoring: { enabled: false },
  authorizer: { enabled: true },
  controller: { replicas: 1, extraEnv: [{ name: "SVCTOKENS_EXAMPLE_POLICY", value: "30" }] },
  webhook: {
    replicas: 3,
    clientCA: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    service: { clusterIP: "10.96.100.100" },
  },
  settings: {
    logLevel: "debug",
    maxTokenLifetimeDays: 90,
    resyncSeconds: 300,
    maxCacheStalenessSeconds: 45,
    reconcileConcurrency: 4,
    leaseDurationSeconds: 20,
    leaseRenewSeconds: 6,
    lastUsedFlushSeconds: 30,
    adminCheckCacheSeconds: 0,
    adminCheckBurst: 10_000,
    adminChecksPerSecond: 2.5,
    clientNames: ["kube-apiserver", "kube-apiserver-2"],
  },
};
