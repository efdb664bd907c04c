// `kubectl svctokens generate`: a client-generated token by default (the value is made here,
// printed once or written to a 0600 file; only its hash enters the cluster), or with
// --deliver a token the controller delivers into a Secret for in-cluster workloads.
import type { Command } from "@commander-js/extra-typings";
import { newClientToken } from "../tokens/index.ts";
import { pollUntil, type Cluster, type TokenObject } from "./cluster.ts";
import { expiresFlag, parseExpires } from "./durations.ts";
import { PluginError, UsageError } from "./errors.ts";
import { collectLabel, desiredToken, settledState, type Settled } from "./generate-plan.ts";
import type { Io } from "./output.ts";
import { claimSecretFile } from "./secret-file.ts";
import { tokenRef, withCluster } from "./session.ts";

/** How long generate waits for the controller before it reports what it saw. */
const READY_TIMEOUT_MS = 60_000;

export function addGenerateCommand(program: Command, io: Io): void {
  program
    .command("generate")
    .description(
      "Generate a token for a Service User. By default the value is made on this machine, " +
        "printed once (or written with --output) and only its hash enters the cluster.",
    )
    .argument("<name>", "name of the ServiceToken (unique per namespace)")
    .requiredOption("--user <user>", "the ServiceUser the token belongs to")
    .requiredOption("--expires <lifetime>", "30d, 60d, 90d, 1y, never or <N>d (1-365)")
    .option("--scim", "a SCIM token (audience scim)")
    .option("--description <text>", "what the token is for")
    .option(
      "--output [file]",
      "write the value to a new file (mode 0600) instead of printing it; default <name>-token.txt",
    )
    .option("--deliver", "let the controller generate the value into a Secret for workloads")
    .option("--show", "with --deliver: print the delivered value too")
    .option("--label <key=value>", "a label on the ServiceToken (repeatable)", collectLabel)
    .addHelpText(
      "after",
      `
Examples:
  kubectl svctokens generate ci --user ci-bot --expires 90d -n prod
  kubectl svctokens generate ci --user ci-bot --expires 30d --output        # ci-token.txt
  kubectl svctokens generate scim --user okta --expires 1y --scim
  kubectl svctokens generate app --user app-bot --expires never --deliver   # Secret app-token`,
    )
    .action(async (name, options, command) => {
      const expiresInDays = parseExpires(options.expires);
      if (options.show && !options.deliver) {
        throw new UsageError("--show needs --deliver: a client-generated value is always shown");
      }
      if (options.deliver && options.output !== undefined) {
        throw new UsageError("--output is for client-generated tokens, not with --deliver");
      }
      await withCluster(command, async (cluster) => {
        const request = {
          name,
          namespace: cluster.namespace,
          user: options.user,
          expiresInDays,
          scim: options.scim === true,
          description: options.description,
          labels: options.label ?? {},
        };
        if (options.deliver) await deliver(cluster, io, request, options.show === true);
        else await clientGenerated(cluster, io, request, outputFile(name, options.output));
      });
    });
}

type Request = Omit<Parameters<typeof desiredToken>[0], "tokenHash">;

function outputFile(name: string, output: string | true | undefined): string | undefined {
  if (output === undefined) return undefined;
  return output === true ? `${name}-token.txt` : output;
}

async function clientGenerated(
  cluster: Cluster,
  io: Io,
  request: Request,
  file: string | undefined,
): Promise<void> {
  // Claim the file before anything enters the cluster: never overwrite, never a lost value.
  const target = file === undefined ? undefined : await claimSecretFile(file);
  const token = newClientToken();
  try {
    await cluster.createToken(desiredToken({ ...request, tokenHash: token.hash }));
  } catch (error) {
    await target?.discard();
    throw error;
  }
  if (target === undefined) {
    io.out(token.value);
    io.err(`This is the only time the value is shown: store it now (token id ${token.tokenId}).`);
  } else {
    await target.write(token.value);
    io.err(`Wrote the token value to ${target.path} (mode 0600; token id ${token.tokenId}).`);
  }
  await reportSettled(cluster, io, request);
}

async function deliver(cluster: Cluster, io: Io, request: Request, show: boolean): Promise<void> {
  await cluster.createToken(desiredToken({ ...request, tokenHash: undefined }));
  const token = await reportSettled(cluster, io, request);
  const secretName = token.status?.secretName;
  if (token.status?.phase !== "Active" || secretName === undefined) return;
  io.err(
    `The value is in Secret ${request.namespace}/${secretName} (key "token"); mount it in the ` +
      "workload that uses it.",
  );
  if (show) {
    const value = await cluster.secretValue(request.namespace, secretName, "token");
    if (value !== undefined) io.out(value);
  }
}

/** Waits for the controller and says where the token stands; fails when a person must act. */
async function reportSettled(cluster: Cluster, io: Io, request: Request): Promise<TokenObject> {
  const ref = tokenRef(request.namespace, request.name);
  const { value: token, timedOut } = await pollUntil(
    () => cluster.token(request.name, request.namespace),
    (t) => settledState(t).state !== "pending",
    READY_TIMEOUT_MS,
  );
  const settled: Settled = settledState(token);
  switch (settled.state) {
    case "ready":
      io.err(`${ref} is ${settled.phase} (${describeExpiry(token, request.expiresInDays)}).`);
      break;
    case "waiting":
      io.err(`${ref} waits: ${settled.message}`);
      break;
    case "stalled":
      throw new PluginError(
        `${ref} is stalled (${settled.reason}): ${settled.message}`,
        `Fix the cause, or delete it: kubectl svctokens revoke ${request.name} -n ${request.namespace} && kubectl svctokens delete ${request.name} -n ${request.namespace} --yes`,
      );
    case "pending":
      if (timedOut) {
        io.err(`${ref} was created but is not Ready yet: is the svctokens controller running?`);
      }
      break;
  }
  return token;
}

function describeExpiry(token: TokenObject, days: number | undefined): string {
  const expiresAt = token.status?.expiresAt;
  if (expiresAt !== undefined) return `expires ${expiresAt}`;
  return expiresFlag(days) === "never" ? "never expires" : `expires in ${days} days`;
}
