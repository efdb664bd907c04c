// The `kubectl svctokens` command tree: kubectl's connection flags on the root (global to every
// command), one module per command group.
import { Command } from "@commander-js/extra-typings";
import { SVCTOKENS_VERSION } from "../k8s/client-identity.ts";
import { addCompletionCommand } from "./completion.ts";
import { addGenerateCommand } from "./generate.ts";
import { addInspectCommand } from "./inspect.ts";
import type { Io } from "./output.ts";
import { addTokenCommands } from "./token-commands.ts";
import { addUserCommands } from "./user-commands.ts";

export function buildProgram(io: Io): Command {
  const program = new Command()
    .name("kubectl svctokens")
    .description(
      "Service Users and Service Tokens: generate, list, revoke, restore, delete and rotate " +
        "tokens, and manage Service Users, on top of the svctokens.dev CRDs.",
    )
    .version(SVCTOKENS_VERSION)
    .option("--kubeconfig <file>", "kubeconfig file (default: KUBECONFIG, then ~/.kube/config)")
    .option("--context <name>", "kubeconfig context to use")
    .option("-n, --namespace <namespace>", "namespace of the tokens (default: the context's)")
    .option("-A, --all-namespaces", "list tokens of every namespace")
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.out(text),
      writeErr: (text) => io.err(text),
    })
    .addHelpText(
      "after",
      `
Examples:
  kubectl svctokens users create ci-bot --role Member --team platform
  kubectl svctokens generate ci --user ci-bot --expires 90d -n platform
  kubectl svctokens list -A
  kubectl svctokens revoke ci -n platform`,
    );
  addUserCommands(program, io);
  addGenerateCommand(program, io);
  addTokenCommands(program, io);
  addInspectCommand(program, io);
  addCompletionCommand(program, io);
  // Subcommands report usage errors through the root's exitOverride and output.
  for (const command of program.commands) inherit(command as unknown as Command, io);
  return program;
}

function inherit(command: Command, io: Io): void {
  command.exitOverride().configureOutput({
    writeOut: (text) => io.out(text),
    writeErr: (text) => io.err(text),
  });
  command.showSuggestionAfterError();
  for (const child of command.commands) inherit(child as unknown as Command, io);
}
