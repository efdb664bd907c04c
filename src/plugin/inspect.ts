// `kubectl svctokens inspect`: tells what a token value is, reading it from stdin, a file or an
// environment variable (never an argument: arguments end up in shell history and `ps`), and
// never printing it.
import { readFile } from "node:fs/promises";
import type { Command } from "@commander-js/extra-typings";
import { namedVariable } from "../config.ts";
import { KubeApiError } from "../k8s/errors.ts";
import type { Cluster, TokenObject } from "./cluster.ts";
import { PluginError, UsageError } from "./errors.ts";
import { describeFound, inspectOffline, renderFacts } from "./inspect-plan.ts";
import type { Io } from "./output.ts";
import { withCluster } from "./session.ts";

export function addInspectCommand(program: Command, io: Io): void {
  program
    .command("inspect")
    .description(
      "Tell what a token is: offline (well formed, checksum, token id), then which " +
        "ServiceToken it is in the cluster. Reads the value from stdin, --from-file or --from-env.",
    )
    .option("--from-file <file>", "read the token from this file")
    .option("--from-env <variable>", "read the token from this environment variable")
    .option("--offline", "do not look the token up in the cluster")
    .addHelpText(
      "after",
      "\nExamples:\n  kubectl svctokens inspect < ci-token.txt\n  kubectl svctokens inspect --from-env TOKEN\n  kubectl svctokens inspect --from-file ci-token.txt --offline",
    )
    .action(async (options, command) => {
      const value = await readValue(options.fromFile, options.fromEnv);
      const facts = inspectOffline(value);
      const checks = facts.checks.map(([what, ok]) => `${what} ${ok ? "ok" : "WRONG"}`).join(", ");
      if (!facts.wellFormed) {
        throw new PluginError(
          `not an svctokens token: ${checks}`,
          "Check that the whole value was copied (svct_ followed by 49 letters and digits).",
        );
      }
      io.out(
        renderFacts([
          ["Token", `well formed (${checks})`],
          ["Token id", facts.tokenId],
        ]),
      );
      if (options.offline === true) return;
      await withCluster(command, async (cluster) => {
        const token = await findToken(cluster, facts.tokenId);
        if (token === undefined) {
          throw new PluginError(
            "not a token of this cluster (no ServiceToken has this token id)",
            "Check --context: the token may belong to another cluster, or its ServiceToken was deleted.",
          );
        }
        const user = await cluster.user(token.spec.serviceUser).catch(() => undefined);
        io.out(renderFacts(describeFound(token, user, new Date())));
      });
    });
}

async function readValue(file: string | undefined, variable: string | undefined): Promise<string> {
  if (file !== undefined && variable !== undefined) {
    throw new UsageError("use one of --from-file and --from-env");
  }
  if (variable !== undefined) {
    const value = namedVariable(variable);
    if (value === undefined) throw new UsageError(`environment variable ${variable} is not set`);
    return value.trim();
  }
  if (file !== undefined) {
    return (
      await readFile(file, "utf8").catch((error: Error) => {
        throw new PluginError(`cannot read ${file}: ${error.message}`);
      })
    ).trim();
  }
  if (process.stdin.isTTY === true) {
    throw new UsageError("pipe the token on stdin, or use --from-file FILE or --from-env VARIABLE");
  }
  let text = "";
  for await (const chunk of process.stdin) text += String(chunk);
  return text.trim();
}

/** The ServiceToken whose token id matches, searched in every namespace the caller may list. */
async function findToken(cluster: Cluster, tokenId: string): Promise<TokenObject | undefined> {
  const tokens = await cluster.tokens(true).catch(async (error: unknown) => {
    // Without cluster-wide list rights, look in the namespace the caller works in.
    if (!(error instanceof KubeApiError) || error.status !== 403) throw error;
    return cluster.tokens(false);
  });
  return tokens.find((t) => t.status?.tokenId === tokenId);
}
