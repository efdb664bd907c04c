// Shared by the API tests: raw requests as the cluster admin, kubectl with a discovery cache
// of its own, and the error an API call answered with.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SERVICE_TOKEN_KIND } from "../../../src/api/index.ts";
import { SERVICE_TOKENS, SERVICE_USERS } from "../../../src/api/index.ts";
import { KubeApiError } from "../../../src/k8s/errors.ts";
import { resourcePath } from "../../../src/k8s/paths.ts";
import { controlPlane } from "../support/cluster.ts";
import { kubectl, type KubectlResult } from "../support/kubectl.ts";

/** The path of a ServiceUser or ServiceToken (its collection when `name` is undefined). */
export function objectPath(
  kind: string,
  where: { namespace?: string; name?: string; subresource?: string },
): string {
  return kind === SERVICE_TOKEN_KIND
    ? resourcePath(SERVICE_TOKENS, where)
    : resourcePath(SERVICE_USERS, { ...where, namespace: undefined });
}

/** A manifest with `metadata.namespace` set when the kind is namespaced. */
export function placedIn<T extends { kind?: string; metadata?: object }>(
  manifest: T,
  namespace: string,
): T {
  if (manifest.kind !== SERVICE_TOKEN_KIND) return manifest;
  return { ...manifest, metadata: { ...manifest.metadata, namespace } };
}

/** The KubeApiError a request failed with; fails the test when it succeeded. */
export async function rejectionOf(request: Promise<unknown>): Promise<KubeApiError> {
  const outcome = await request.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (outcome.ok) {
    throw new Error(
      `expected the API server to refuse, it accepted: ${JSON.stringify(outcome.value)}`,
    );
  }
  if (!(outcome.error instanceof KubeApiError)) throw outcome.error;
  return outcome.error;
}

// A fresh discovery cache per test file: kubectl must find the kinds, short names and category
// from what the API server publishes now, not from what an earlier run left in ~/.kube/cache.
const cacheDir = mkdtempSync(join(tmpdir(), "svctokens-kubectl-cache-"));

/** kubectl as the cluster admin. */
export async function adminKubectl(args: string[], input?: string): Promise<KubectlResult> {
  return kubectl(controlPlane().adminKubeconfig, [`--cache-dir=${cacheDir}`, ...args], input);
}

/** kubectl as the cluster admin; throws with kubectl's stderr when it exits non-zero. */
export async function adminKubectlOk(args: string[], input?: string): Promise<string> {
  const result = await adminKubectl(args, input);
  if (result.code !== 0) {
    throw new Error(`kubectl ${args.join(" ")} exited ${result.code}: ${result.stderr}`);
  }
  return result.stdout;
}

/** The column titles of the first line kubectl printed (columns are 2+ spaces apart). */
export function headerColumns(table: string): string[] {
  const header = table.split("\n")[0] ?? "";
  return header.trim().split(/\s{2,}/);
}

/**
 * The rows of a kubectl table as records keyed by column title. Cells are cut at the offsets
 * where the header's titles start (kubectl aligns every cell there), so empty cells stay empty.
 */
export function tableRows(table: string): Record<string, string>[] {
  const [header = "", ...rows] = table.trimEnd().split("\n");
  const starts = [...header.matchAll(/\S+( \S+)*/g)].map((match) => match.index);
  const titles = starts.map((start, i) => header.slice(start, starts[i + 1]).trim());
  return rows.map((row) =>
    Object.fromEntries(
      titles.map((title, i) => [title, row.slice(starts[i], starts[i + 1]).trim()]),
    ),
  );
}

/** Text with every run of whitespace made one space, to compare wrapped output. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
