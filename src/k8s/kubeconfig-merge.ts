// KUBECONFIG as kubectl reads it: a list of files (":"-separated on Linux), merged so that the
// first file to set something wins — the current context, and each context, cluster and user by
// name. Each entry remembers the file it came from, since relative paths in it are relative to
// that file. Pure: the caller reads and parses the files.
import { dirname, isAbsolute, join } from "node:path";

type Named<T> = { name?: string } & T;

/** The parts of a kubeconfig file the merge reads. */
export interface KubeconfigDocument {
  "current-context"?: string;
  contexts?: Named<{ context?: { cluster?: string; user?: string } }>[];
  clusters?: Named<{ cluster?: Record<string, unknown> }>[];
  users?: Named<{ user?: Record<string, unknown> }>[];
}

/** An entry of the merged config and the file that defined it. */
export interface FromFile<T> {
  value: T;
  file: string;
}

/** The current context of the merged files, resolved to its cluster and user. */
export interface CurrentContext {
  /** Where the current context was named (for error messages). */
  file: string;
  cluster: FromFile<Record<string, unknown>> | undefined;
  /** An empty user when the context names none (kubectl's anonymous user). */
  user: FromFile<Record<string, unknown>>;
}

/** The files of a KUBECONFIG value, in order (empty entries dropped, as kubectl does). */
export function kubeconfigPaths(value: string, delimiter = ":"): string[] {
  return value.split(delimiter).filter((path) => path !== "");
}

/** First file wins for each name. */
function firstByName<T>(
  documents: readonly FromFile<KubeconfigDocument>[],
  list: (document: KubeconfigDocument) => Named<T>[] | undefined,
): Map<string, FromFile<Named<T>>> {
  const merged = new Map<string, FromFile<Named<T>>>();
  for (const { value, file } of documents) {
    for (const entry of list(value) ?? []) {
      if (entry.name !== undefined && !merged.has(entry.name))
        merged.set(entry.name, { value: entry, file });
    }
  }
  return merged;
}

/**
 * The current context of `documents` merged in order; undefined when none names one. The
 * context's cluster and user are looked up across all files, as kubectl does.
 */
export function mergedCurrentContext(
  documents: readonly FromFile<KubeconfigDocument>[],
): CurrentContext | undefined {
  const named = documents.find(({ value }) => Boolean(value["current-context"]));
  if (named === undefined) return undefined;
  const contexts = firstByName(documents, (document) => document.contexts);
  const context = contexts.get(named.value["current-context"] ?? "")?.value.context;
  const clusters = firstByName(documents, (document) => document.clusters);
  const users = firstByName(documents, (document) => document.users);
  const cluster = clusters.get(context?.cluster ?? "");
  const user = users.get(context?.user ?? "");
  return {
    file: named.file,
    cluster: cluster?.value.cluster
      ? { value: cluster.value.cluster, file: cluster.file }
      : undefined,
    user: { value: user?.value.user ?? {}, file: user?.file ?? named.file },
  };
}

/** A file path from a kubeconfig entry, relative to the file that holds the entry. */
export function pathFromEntry(path: string | undefined, file: string): string | undefined {
  return path === undefined || isAbsolute(path) ? path : join(dirname(file), path);
}
