// What every command's action gets: the cluster from kubectl's connection flags and where to
// print. The root command's options are global (`kubectl svctokens list -n prod --context x`).
import { Cluster, isMissing, type ConnectionFlags, type TokenObject } from "./cluster.ts";
import { PluginError } from "./errors.ts";
import type { Io } from "./output.ts";

/** The process's streams; colour only when stdout is a terminal and NO_COLOR is unset. */
export function processIo(colourAllowed: boolean): Io {
  return {
    out: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
    colour: colourAllowed && process.stdout.isTTY === true,
  };
}

/** What the plugin needs of a parsed (sub)command: its options merged with the root's. */
export interface ParsedCommand {
  optsWithGlobals(): object;
}

/** The connection flags of any (sub)command, read from the root. */
export function connectionFlags(command: ParsedCommand): ConnectionFlags {
  const all = command.optsWithGlobals() as ConnectionFlags & { allNamespaces?: boolean };
  return {
    kubeconfig: all.kubeconfig,
    context: all.context,
    namespace: all.namespace,
    allNamespaces: all.allNamespaces,
  };
}

/** Runs `work` with a cluster for the command's flags, and closes the connections after. */
export async function withCluster(
  command: ParsedCommand,
  work: (cluster: Cluster) => Promise<void>,
): Promise<void> {
  const cluster = await Cluster.connect(connectionFlags(command));
  try {
    await work(cluster);
  } finally {
    cluster.close();
  }
}

/** `ServiceToken ns/name`: how messages name a token. */
export const tokenRef = (namespace: string, name: string): string =>
  `ServiceToken ${namespace}/${name}`;

/** Reads a token, or fails with "not found" and the command that lists what exists. */
export async function existingToken(cluster: Cluster, name: string): Promise<TokenObject> {
  try {
    return await cluster.token(name);
  } catch (error) {
    if (!isMissing(error)) throw error;
    throw new PluginError(
      `${tokenRef(cluster.namespace, name)} not found`,
      `See the tokens of namespace ${cluster.namespace} with: kubectl svctokens list -n ${cluster.namespace} (or -A for all namespaces).`,
    );
  }
}
