// `list`, `revoke`, `restore`, `delete` and `rotate`: the product's token list and actions on
// top of the ServiceToken CRD (merge patches and deletes any kubectl user could send).
import { createInterface } from "node:readline/promises";
import { Option, type Command } from "@commander-js/extra-typings";
import { newClientToken } from "../tokens/index.ts";
import type { Cluster, TokenObject } from "./cluster.ts";
import { parseDays, parseOverlap } from "./durations.ts";
import { PluginError, UsageError } from "./errors.ts";
import { parseOutputFormat, renderObjects, renderTable, type Io } from "./output.ts";
import { claimSecretFile } from "./secret-file.ts";
import { existingToken, tokenRef, withCluster } from "./session.ts";
import {
  confirmsDeletion,
  decideDelete,
  decideRestore,
  decideRevoke,
  decideRotate,
  rotationPatch,
  type Decision,
} from "./token-decisions.ts";
import {
  hasRotationStatus,
  matchesFilter,
  sortTokens,
  TOKEN_STATUSES,
  tokenHeaders,
  tokenRow,
} from "./token-rows.ts";

export function addTokenCommands(program: Command, io: Io): void {
  addList(program, io);
  addPatchCommand(
    program,
    io,
    "revoke",
    "Revoke a token: it stops authenticating at once.",
    revoke,
  );
  addPatchCommand(
    program,
    io,
    "restore",
    "Restore a revoked token (never an expired one: generate a new token instead).",
    restore,
  );
  addDelete(program, io);
  addRotate(program, io);
}

function addList(program: Command, io: Io): void {
  program
    .command("list")
    .description("List tokens: status, name, user, expiration, last use.")
    .option("--user <user>", "only the tokens of this ServiceUser")
    .addOption(
      new Option("--status <status>", "only tokens in this status").choices(TOKEN_STATUSES),
    )
    .option("--unused <days>", "only tokens not used for DAYS days (never used included)")
    .option("-o, --output <format>", "wide, json or yaml")
    .addHelpText(
      "after",
      `
Examples:
  kubectl svctokens list -A
  kubectl svctokens list --user ci-bot --status active -o wide
  kubectl svctokens list -A --unused 90`,
    )
    .action(async (options, command) => {
      const format = parseOutputFormat(options.output);
      const unusedDays = options.unused === undefined ? undefined : parseDays(options.unused);
      await withCluster(command, async (cluster) => {
        const now = new Date();
        const filter = { user: options.user, status: options.status, unusedDays };
        const tokens = sortTokens(await cluster.tokens()).filter((t) =>
          matchesFilter(t, filter, now),
        );
        if (format === "json" || format === "yaml") {
          io.out(renderObjects(tokens, format));
          return;
        }
        if (tokens.length === 0) {
          io.err(
            cluster.allNamespaces
              ? "No tokens found."
              : `No tokens found in namespace ${cluster.namespace}.`,
          );
          return;
        }
        const layout = {
          wide: format === "wide",
          allNamespaces: cluster.allNamespaces,
          colour: io.colour,
        };
        const rotation = hasRotationStatus(tokens);
        io.out(
          renderTable(
            tokenHeaders(layout, rotation),
            tokens.map((t) => tokenRow(t, layout, rotation, now)),
          ),
        );
      });
    });
}

type Action = (cluster: Cluster, io: Io, token: TokenObject) => Promise<void>;

function addPatchCommand(
  program: Command,
  io: Io,
  name: string,
  description: string,
  action: Action,
): void {
  program
    .command(name)
    .description(description)
    .argument("<name>", "the ServiceToken")
    .addHelpText("after", `\nExample:\n  kubectl svctokens ${name} ci -n prod`)
    .action(async (tokenName, _options, command) => {
      await withCluster(command, async (cluster) => {
        await action(cluster, io, await existingToken(cluster, tokenName));
      });
    });
}

/** Sends the decision's patch, or reports why not; returns whether it patched. */
async function apply(
  cluster: Cluster,
  io: Io,
  token: TokenObject,
  decision: Decision,
): Promise<boolean> {
  switch (decision.kind) {
    case "refused":
      throw new PluginError(decision.message, decision.hint);
    case "done":
      io.err(`${decision.message}.`);
      return false;
    case "patch":
      await cluster.patchToken(token.metadata.name, decision.patch, token.metadata.namespace);
      return true;
  }
}

const refOf = (token: TokenObject): string =>
  tokenRef(token.metadata.namespace ?? "", token.metadata.name);

async function revoke(cluster: Cluster, io: Io, token: TokenObject): Promise<void> {
  if (await apply(cluster, io, token, decideRevoke(token))) {
    io.err(`${refOf(token)} revoked: it no longer authenticates.`);
  }
}

async function restore(cluster: Cluster, io: Io, token: TokenObject): Promise<void> {
  if (await apply(cluster, io, token, decideRestore(token))) {
    io.err(`${refOf(token)} restored: it authenticates again.`);
  }
}

function addDelete(program: Command, io: Io): void {
  program
    .command("delete")
    .description("Delete a revoked or expired token (asks you to type its name to confirm).")
    .argument("<name>", "the ServiceToken")
    .option("-y, --yes", "do not ask for confirmation (needed without a terminal)")
    .addHelpText(
      "after",
      "\nExamples:\n  kubectl svctokens delete ci -n prod\n  kubectl svctokens delete ci -n prod --yes",
    )
    .action(async (name, options, command) => {
      await withCluster(command, async (cluster) => {
        const token = await existingToken(cluster, name);
        const decision = decideDelete(token);
        if (decision.kind === "refused") throw new PluginError(decision.message, decision.hint);
        if (options.yes !== true) await confirm(token);
        await cluster.deleteToken(name);
        io.err(`${refOf(token)} deleted.`);
      });
    });
}

async function confirm(token: TokenObject): Promise<void> {
  if (process.stdin.isTTY !== true) {
    throw new UsageError(
      `deleting ${refOf(token)} needs confirmation: pass --yes when not at a terminal`,
    );
  }
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const typed = await prompt.question(
      `Deleting ${refOf(token)} cannot be undone. Type the token name to confirm: `,
    );
    if (!confirmsDeletion(typed, token.metadata.name)) {
      throw new PluginError(
        `"${typed.trim()}" is not "${token.metadata.name}": nothing deleted`,
        "Run the command again and type the token's name exactly.",
      );
    }
  } finally {
    prompt.close();
  }
}

function addRotate(program: Command, io: Io): void {
  program
    .command("rotate")
    .description(
      "Rotate a token's value; the previous value keeps working for the overlap. A " +
        "client-generated token gets a new value made here, printed once (or --output FILE).",
    )
    .argument("<name>", "the ServiceToken")
    .option("--overlap <duration>", "how long the previous value stays valid, e.g. 60m, 2h, 1d")
    .option("--output <file>", "client-generated token: write the new value to this new file")
    .addHelpText(
      "after",
      "\nExamples:\n  kubectl svctokens rotate ci -n prod\n  kubectl svctokens rotate ci -n prod --overlap 2h",
    )
    .action(async (name, options, command) => {
      const overlap = options.overlap === undefined ? undefined : parseOverlap(options.overlap);
      await withCluster(command, async (cluster) => {
        const token = await existingToken(cluster, name);
        const decision = decideRotate(token);
        if (decision.kind === "refused") throw new PluginError(decision.message, decision.hint);
        const fresh = token.spec.tokenHash === undefined ? undefined : newClientToken();
        const target =
          fresh === undefined || options.output === undefined
            ? undefined
            : await claimSecretFile(options.output);
        try {
          await cluster.patchToken(name, rotationPatch(new Date(), overlap, fresh?.hash));
        } catch (error) {
          await target?.discard();
          throw error;
        }
        io.err(`${refOf(token)}: rotation requested.`);
        if (fresh === undefined) {
          const secret = token.status?.secretName ?? `${name}-token`;
          io.err(`The controller writes the new value into Secret ${cluster.namespace}/${secret}.`);
        } else if (target !== undefined) {
          await target.write(fresh.value);
          io.err(`Wrote the new value to ${target.path} (mode 0600; token id ${fresh.tokenId}).`);
        } else {
          io.out(fresh.value);
          io.err(`This is the only time the new value is shown (token id ${fresh.tokenId}).`);
        }
      });
    });
}
