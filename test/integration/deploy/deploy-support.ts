// Rendering deploy/ with the machine's kubectl (its built-in kustomize) and reading the result,
// and the cluster-side preparation a server-side dry run of it needs.
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "../../../src/k8s/object.ts";
import { controlPlane, deleteNamespaceAndWait } from "../support/cluster.ts";
import { kubectl, type KubectlResult } from "../support/kubectl.ts";
import { OPERATOR_NAMESPACE } from "../support/operator.ts";

/** Absolute path of `path` inside deploy/. */
export const deployPath = (path: string): string =>
  fileURLToPath(new URL(`../../../deploy/${path}`, import.meta.url));

const fixturePath = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** Every overlay under deploy/overlays/, so a new one is tested without touching the test. */
export function overlayNames(): string[] {
  return readdirSync(deployPath("overlays"), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/** kubectl as the cluster admin (`input` on its stdin, for `-f -`). */
export async function adminKubectl(args: string[], input?: string): Promise<KubectlResult> {
  return kubectl(controlPlane().adminKubeconfig, args, input);
}

async function adminKubectlOk(args: string[]): Promise<string> {
  const result = await adminKubectl(args);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(" ")} failed: ${result.stderr}`);
  return result.stdout;
}

/** `kubectl kustomize <dir>`, parsed into objects. */
export async function render(dir: string): Promise<KubeObject[]> {
  return parseObjects(await adminKubectlOk(["kustomize", dir]));
}

/** Parses a multi-document YAML stream. */
export function parseObjects(text: string): KubeObject[] {
  return parseAllDocuments(text)
    .map((document) => document.toJS() as KubeObject | null)
    .filter((object): object is KubeObject => object !== null);
}

/** `Kind namespace/name` (or `Kind name`): one object, readable in a failed assertion. */
export function describeObject(object: KubeObject): string {
  const { namespace, name = "" } = object.metadata ?? {};
  return `${object.kind ?? "?"} ${namespace ? `${namespace}/` : ""}${name}`;
}

/** How kubectl apply names an object in its output: `deployment.apps/svctokens-webhook`. */
export function appliedName(object: KubeObject): string {
  const apiVersion = object.apiVersion ?? "";
  const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
  const kind = (object.kind ?? "").toLowerCase();
  return `${group ? `${kind}.${group}` : kind}/${object.metadata?.name ?? ""}`;
}

/** The one object of `kind` named `name`; throws when there is none. */
export function find<T = KubeObject>(objects: KubeObject[], kind: string, name: string): T {
  const found = objects.find((object) => object.kind === kind && object.metadata?.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in the rendered manifests`);
  return found as T;
}

/** The objects of `kind`. */
export function ofKind<T = KubeObject>(objects: KubeObject[], kind: string): T[] {
  return objects.filter((object) => object.kind === kind) as T[];
}

/** How many of the named objects (`kind/name`) exist. */
async function countExisting(names: string[]): Promise<number> {
  const result = await adminKubectl(["get", ...names, "--ignore-not-found", "-o", "name"]);
  return result.stdout.split("\n").filter((line) => line !== "").length;
}

/**
 * What a server-side dry run of deploy/ needs on the shared control plane, undone by the
 * returned function. Namespaced objects are admitted only into a namespace that exists (a
 * dry-run Namespace is not enough), and the Issuer and Certificate of the cert-manager overlay
 * only when their CRDs are served; cert-manager is not installed here, so stand-in CRDs from
 * fixtures/ are. Only what this function created is removed again.
 */
export async function prepareForDryRun(): Promise<() => Promise<void>> {
  const undo: (() => Promise<unknown>)[] = [];
  if ((await countExisting([`namespace/${OPERATOR_NAMESPACE}`])) === 0) {
    await adminKubectlOk(["apply", "-f", deployPath("manifests/namespace.yaml")]);
    undo.push(() => deleteNamespaceAndWait(OPERATOR_NAMESPACE));
  }
  const certManagerCrds = ["crd/issuers.cert-manager.io", "crd/certificates.cert-manager.io"];
  // Never replace or remove CRDs someone else installed (a real cert-manager, say).
  if ((await countExisting(certManagerCrds)) === 0) {
    await adminKubectlOk(["apply", "-f", fixturePath("cert-manager-crds.yaml")]);
    undo.push(() => adminKubectlOk(["delete", "--wait", "--ignore-not-found", ...certManagerCrds]));
  }
  await adminKubectlOk([
    "wait",
    "--for=condition=Established",
    "--timeout=60s",
    ...certManagerCrds,
  ]);
  return async () => {
    for (const step of undo.reverse()) await step();
  };
}
