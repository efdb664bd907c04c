// `kubectl svctokens completion bash|zsh`: a shell completion script for the plugin's
// commands and options, generated from the command tree (so it never drifts from --help).
import type { Command } from "@commander-js/extra-typings";
import { UsageError } from "./errors.ts";
import type { Io } from "./output.ts";

/** One command path ("" for the root, "users create") and the words that may follow it. */
export type CompletionTree = Map<string, string[]>;

interface CommandNode {
  name(): string;
  commands: readonly CommandNode[];
  options: readonly { long?: string | undefined; short?: string | undefined }[];
}

/** Every command path with its subcommands and options (globals offered everywhere). */
export function completionTree(root: CommandNode): CompletionTree {
  const globals = optionWords(root);
  const tree: CompletionTree = new Map();
  const visit = (node: CommandNode, path: string): void => {
    const subcommands = node.commands.map((c) => c.name());
    tree.set(path, [
      ...subcommands,
      ...optionWords(node),
      ...(path === "" ? [] : globals),
      "--help",
    ]);
    for (const child of node.commands)
      visit(child, path === "" ? child.name() : `${path} ${child.name()}`);
  };
  visit(root, "");
  return tree;
}

function optionWords(node: CommandNode): string[] {
  return node.options.flatMap((o) => [o.long, o.short].filter((w): w is string => w !== undefined));
}

const FUNCTION = "_kubectl_svctokens_complete";

/** The bash script; zsh loads it through bashcompinit. */
export function completionScript(shell: string, tree: CompletionTree): string {
  const cases = [...tree]
    .map(([path, words]) => `    "${path}") words="${words.join(" ")}" ;;`)
    .join("\n");
  const paths = [...tree.keys()]
    .filter((p) => p !== "")
    .map((p) => `"${p}"`)
    .join("|");
  const bash = `# kubectl svctokens completion: source this file (see kubectl svctokens completion --help)
${FUNCTION}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" word i words=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    [[ $word == svctokens && $i == 1 ]] && continue
    [[ $word == -* ]] && continue
    case "\${path:+$path }$word" in
      ${paths}) path="\${path:+$path }$word" ;;
    esac
  done
  case "$path" in
${cases}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F ${FUNCTION} kubectl-svctokens
`;
  if (shell === "bash") return bash;
  if (shell === "zsh") {
    return `#compdef kubectl-svctokens\nautoload -U +X bashcompinit && bashcompinit\n${bash}`;
  }
  throw new UsageError(`completion for "${shell}" is not available: use bash or zsh`);
}

export function addCompletionCommand(program: Command, io: Io): void {
  program
    .command("completion")
    .description("Print a shell completion script for kubectl-svctokens (bash or zsh).")
    .argument("<shell>", "bash or zsh")
    .addHelpText(
      "after",
      '\nExamples:\n  source <(kubectl svctokens completion bash)\n  kubectl svctokens completion zsh > "${fpath[1]}/_kubectl-svctokens"',
    )
    .action((shell) => {
      io.out(completionScript(shell, completionTree(program)));
    });
}
