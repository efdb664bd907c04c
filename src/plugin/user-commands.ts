// `kubectl svctokens users create|list|deactivate|reactivate`: managing Service Users on top
// of the ServiceUser CRD.
import { Option, type Command } from "@commander-js/extra-typings";
import { ServiceUserRole } from "../api/index.ts";
import { KubeApiError } from "../k8s/errors.ts";
import { isMissing, type Cluster } from "./cluster.ts";
import { PluginError } from "./errors.ts";
import { collectLabel } from "./generate-plan.ts";
import { parseOutputFormat, renderObjects, renderTable, type Io } from "./output.ts";
import { withCluster } from "./session.ts";
import {
  activeTokensOf,
  desiredUser,
  revokedTokensOf,
  tokenRefs,
  userHeaders,
  userRow,
} from "./user-rows.ts";

/** How long a deactivation waits for the webhook to see the tokens it just revoked. */
const REVOKED_VISIBLE_TIMEOUT_MS = 15_000;

const collectTeam = (team: string, teams: string[] | undefined): string[] => [
  ...(teams ?? []),
  team,
];

export function addUserCommands(program: Command, io: Io): void {
  const users = program
    .command("users")
    .description("Manage Service Users: create, list, deactivate, reactivate.");
  users
    .command("create")
    .description("Create a Service User.")
    .argument("<name>", "name of the ServiceUser; it authenticates as <name>@service")
    .addOption(
      new Option("--role <role>", "its role")
        .choices(Object.values(ServiceUserRole))
        .makeOptionMandatory(),
    )
    .option("--team <team>", "a team it belongs to (repeatable)", collectTeam)
    .option("--display-name <name>", "the name people see")
    .option("--description <text>", "what it is for and who looks after it")
    .option("--label <key=value>", "a label on the ServiceUser (repeatable)", collectLabel)
    .addHelpText(
      "after",
      "\nExamples:\n  kubectl svctokens users create ci-bot --role Member --team platform --display-name 'CI bot'\n  kubectl svctokens users create scim-okta --role Admin",
    )
    .action(async (name, options, command) => {
      await withCluster(command, async (cluster) => {
        const user = desiredUser({
          name,
          role: options.role,
          teams: options.team ?? [],
          displayName: options.displayName,
          description: options.description,
          labels: options.label ?? {},
        });
        await cluster.createUser(user);
        io.err(
          `ServiceUser ${name} created (${options.role}). Give it a token with:\n` +
            `  kubectl svctokens generate ${name} --user ${name} --expires 90d -n NAMESPACE`,
        );
      });
    });
  users
    .command("list")
    .description("List Service Users: role, teams, status, Active tokens, last use.")
    .option("-o, --output <format>", "wide, json or yaml")
    .addHelpText("after", "\nExample:\n  kubectl svctokens users list -o wide")
    .action(async (options, command) => {
      const format = parseOutputFormat(options.output);
      await withCluster(command, async (cluster) => {
        const list = (await cluster.users()).sort((a, b) =>
          a.metadata.name.localeCompare(b.metadata.name),
        );
        if (format === "json" || format === "yaml") return io.out(renderObjects(list, format));
        if (list.length === 0) return io.err("No Service Users found.");
        const wide = format === "wide";
        const now = new Date();
        io.out(
          renderTable(
            userHeaders(wide, io.colour),
            list.map((u) => userRow(u, wide, io.colour, now)),
          ),
        );
      });
    });
  users
    .command("deactivate")
    .description("Deactivate a Service User (refused while it has Active tokens).")
    .argument("<name>", "the ServiceUser")
    .option("--revoke-tokens", "revoke its Active tokens first")
    .addHelpText(
      "after",
      "\nExamples:\n  kubectl svctokens users deactivate ci-bot\n  kubectl svctokens users deactivate ci-bot --revoke-tokens",
    )
    .action(async (name, options, command) => {
      await withCluster(command, (cluster) =>
        deactivate(cluster, io, name, options.revokeTokens === true),
      );
    });
  users
    .command("reactivate")
    .description("Reactivate a Service User; its revoked tokens stay revoked.")
    .argument("<name>", "the ServiceUser")
    .addHelpText("after", "\nExample:\n  kubectl svctokens users reactivate ci-bot")
    .action(async (name, _options, command) => {
      await withCluster(command, async (cluster) => {
        const user = await existingUser(cluster, name);
        if (user.spec.active !== false) return io.err(`ServiceUser ${name} is already active.`);
        await cluster.patchUser(name, { spec: { active: true } });
        const revoked = revokedTokensOf(await cluster.tokens(true), name);
        io.err(
          `ServiceUser ${name} reactivated. Its revoked tokens stay revoked` +
            (revoked.length > 0 ? ` (${tokenRefs(revoked)})` : "") +
            ": restore each with kubectl svctokens restore NAME -n NAMESPACE, or generate new ones.",
        );
      });
    });
}

async function existingUser(cluster: Cluster, name: string): ReturnType<Cluster["user"]> {
  try {
    return await cluster.user(name);
  } catch (error) {
    if (!isMissing(error)) throw error;
    throw new PluginError(
      `ServiceUser ${name} not found`,
      "See the Service Users with: kubectl svctokens users list",
    );
  }
}

async function deactivate(
  cluster: Cluster,
  io: Io,
  name: string,
  revokeTokens: boolean,
): Promise<void> {
  const user = await existingUser(cluster, name);
  if (user.spec.active === false) return io.err(`ServiceUser ${name} is already deactivated.`);
  const active = activeTokensOf(await cluster.tokens(true), name);
  if (active.length > 0 && !revokeTokens) {
    throw new PluginError(
      `ServiceUser ${name} has Active tokens: ${tokenRefs(active)}`,
      "Revoke them first (kubectl svctokens revoke NAME -n NAMESPACE), or run again with --revoke-tokens.",
    );
  }
  for (const token of active) {
    await cluster.patchToken(
      token.metadata.name,
      { spec: { revoked: true } },
      token.metadata.namespace,
    );
    io.err(`ServiceToken ${token.metadata.namespace ?? ""}/${token.metadata.name} revoked.`);
  }
  await deactivateWhenRevokedSeen(cluster, name, active.length > 0);
  io.err(`ServiceUser ${name} deactivated: its tokens no longer authenticate.`);
}

/** The webhook judges from its cache: tokens revoked a moment ago may still count as Active. */
async function deactivateWhenRevokedSeen(
  cluster: Cluster,
  name: string,
  justRevoked: boolean,
): Promise<void> {
  const deadline = Date.now() + (justRevoked ? REVOKED_VISIBLE_TIMEOUT_MS : 0);
  for (;;) {
    try {
      await cluster.patchUser(name, { spec: { active: false } });
      return;
    } catch (error) {
      const stale =
        error instanceof KubeApiError && error.serverMessage.includes("while it has Active tokens");
      if (!stale || Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }
}
