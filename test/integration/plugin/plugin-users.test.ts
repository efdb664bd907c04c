// `kubectl svctokens users …`, the connection flags, shell completion, and `delete`'s
// confirmation as a person meets it in a real terminal (tmux: send-keys, capture-pane),
// against the real control plane with the webhook registered (maximum lifetime 90 days).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { eventually } from "../support/cluster.ts";
import { WebhookRun } from "../webhook/webhook-run.ts";
import { admissionDenial, notAdminDenial } from "../webhook/webhook-support.ts";
import { expectExit, PLUGIN_BIN, personKubeconfig, runLabel, svctokens } from "./plugin-support.ts";

const exec = promisify(execFile);
let run: WebhookRun;
let ns: string;
let admin: string;
let writer: string;

beforeAll(async () => {
  run = await WebhookRun.start({ maxTokenLifetimeDays: 90 });
  ns = await run.namespace("plugin-users");
  admin = await personKubeconfig(run, `pat-${run.run}`, "svctokens:admin");
  writer = await personKubeconfig(run, `eddie-${run.run}`, await run.writerRole());
});

afterAll(async () => {
  await run?.stop();
});

const asAdmin = (args: string[]) => svctokens(admin, args);
const generate = (name: string, user: string, expires: string) =>
  asAdmin(["generate", name, "--user", user, "--expires", expires, "-n", ns, ...runLabel(run)]);

it("creates, lists, deactivates and reactivates Service Users; refusals come through verbatim", async () => {
  const bot = `bot-${run.run}`;
  const [created, ops, byWriter, badRole] = await Promise.all([
    asAdmin([
      "users",
      "create",
      bot,
      "--role",
      "Member",
      "--team",
      "a",
      "--team",
      "b",
      ...runLabel(run),
    ]),
    asAdmin([
      "users",
      "create",
      `ops-${run.run}`,
      "--role",
      "Admin",
      "--display-name",
      "Ops",
      ...runLabel(run),
    ]),
    svctokens(writer, [
      "users",
      "create",
      `sneaky-${run.run}`,
      "--role",
      "Admin",
      ...runLabel(run),
    ]),
    asAdmin(["users", "create", "x", "--role", "Owner"]),
  ]);
  expectExit(created, 0);
  expectExit(ops, 0);
  expectExit(byWriter, 1);
  expect(byWriter.stderr).toContain(
    admissionDenial(notAdminDenial(`Creating ServiceUser sneaky-${run.run}`, `eddie-${run.run}`)),
  );
  expectExit(badRole, 2);
  expect(badRole.stderr).toContain("Allowed choices are Admin, Manager, Member");

  const [token, forever] = await Promise.all([
    generate("t1", bot, "30d"),
    generate("t2", bot, "never"),
  ]);
  expectExit(token, 0);
  expectExit(forever, 1);
  expect(forever.stderr).toContain(
    `ServiceToken ${ns}/t2 cannot be created: it never expires, and this operator allows tokens of at most 90 days`,
  );
  expect(forever.stdout).toBe("");
  await eventually("bot's Active token count", async () =>
    (await run.admin.user(bot))?.status?.activeTokens === 1 ? true : undefined,
  );
  const list = await asAdmin(["users", "list"]);
  expect(list.stdout.split("\n")[0]).toMatch(
    /^NAME\s+ROLE\s+TEAMS\s+STATUS\s+ACTIVE TOKENS\s+LAST USED$/,
  );
  expect(list.stdout).toMatch(
    new RegExp(`^${bot}\\s+Member\\s+a,b\\s+Active\\s+1\\s+Not used$`, "m"),
  );
  expect(list.stdout).toMatch(
    new RegExp(`^ops-${run.run}\\s+Admin\\s+-\\s+Active\\s+0\\s+Not used$`, "m"),
  );

  const refused = await asAdmin(["users", "deactivate", bot]);
  expectExit(refused, 1);
  expect(refused.stderr).toContain(`ServiceUser ${bot} has Active tokens: ${ns}/t1`);
  expect(refused.stderr).toContain("--revoke-tokens");
  const deactivated = await asAdmin(["users", "deactivate", bot, "--revoke-tokens"]);
  expectExit(deactivated, 0);
  expect(deactivated.stderr).toContain(`ServiceToken ${ns}/t1 revoked`);
  expect(await run.admin.token(ns, "t1")).toMatchObject({ spec: { revoked: true } });
  expect(await run.admin.user(bot)).toMatchObject({ spec: { active: false } });

  const forDeactivated = await generate("t3", bot, "30d");
  expectExit(forDeactivated, 1);
  expect(forDeactivated.stderr).toContain(`ServiceUser "${bot}" is deactivated; reactivate it`);
  const reactivated = await asAdmin(["users", "reactivate", bot]);
  expectExit(reactivated, 0);
  expect(reactivated.stderr).toContain(`Its revoked tokens stay revoked (${ns}/t1)`);
  expect(await run.admin.token(ns, "t1")).toMatchObject({ spec: { revoked: true } });
}, 300_000);

it("honours --kubeconfig and --context, and completes commands in bash and zsh", async () => {
  const [byFlag, noContext, missingUser, bash, zsh, fish] = await Promise.all([
    svctokens("/nonexistent", ["users", "list", "--kubeconfig", admin]),
    asAdmin(["list", "--context", "nowhere"]),
    asAdmin(["users", "deactivate", "nobody-at-all"]),
    asAdmin(["completion", "bash"]),
    asAdmin(["completion", "zsh"]),
    asAdmin(["completion", "fish"]),
  ]);
  expectExit(byFlag, 0);
  expect(byFlag.stdout).toContain(`ops-${run.run}`);
  expectExit(noContext, 1);
  expect(noContext.stderr).toContain('context "nowhere" is not in the kubeconfig');
  expectExit(missingUser, 1);
  expect(missingUser.stderr).toContain("ServiceUser nobody-at-all not found");
  expect(zsh.stdout).toContain("bashcompinit");
  expectExit(fish, 2);
  // Complete `kubectl-svctokens users <TAB>` and `… generate --<TAB>` with the script.
  const complete = async (...words: string[]): Promise<string> => {
    const script = `${bash.stdout}\nCOMP_WORDS=(kubectl-svctokens ${words.map((w) => `"${w}"`).join(" ")}); COMP_CWORD=${words.length}; _kubectl_svctokens_complete; echo "\${COMPREPLY[*]}"`;
    return (await exec("bash", ["-c", script])).stdout.trim();
  };
  expect((await complete("users", "")).split(" ").sort()).toEqual(
    expect.arrayContaining(["create", "deactivate", "list", "reactivate"]),
  );
  expect(await complete("generate", "--ex")).toBe("--expires");
});

it("asks for the token's name at a terminal before deleting; a wrong name deletes nothing", async () => {
  const tmux = (...args: string[]) => exec("tmux", ["-L", `svctokens-${run.run}`, ...args]);
  const user = `tty-${run.run}`;
  expectExit(await asAdmin(["users", "create", user, "--role", "Member", ...runLabel(run)]), 0);
  expectExit(await generate("doomed", user, "30d"), 0);
  expectExit(await asAdmin(["revoke", "doomed", "-n", ns]), 0);
  const screen = async (session: string, text: string): Promise<string> =>
    eventually(`"${text}" on the terminal`, async () => {
      const { stdout } = await tmux("capture-pane", "-p", "-J", "-t", session);
      return stdout.includes(text) ? stdout : undefined;
    });
  const start = async (session: string): Promise<void> => {
    const command = `kubectl svctokens delete doomed -n ${ns}; echo "EXIT=$?"; sleep 300`;
    await tmux(
      "new-session",
      "-d",
      "-s",
      session,
      "-x",
      "200",
      "-y",
      "40",
      "env",
      `PATH=${PLUGIN_BIN}:${process.env.PATH ?? ""}`,
      `KUBECONFIG=${admin}`,
      "sh",
      "-c",
      command,
    );
    await screen(session, "Type the token name to confirm:");
  };
  try {
    await start("wrong");
    await tmux("send-keys", "-t", "wrong", "doomd", "Enter");
    const wrong = await screen("wrong", "EXIT=");
    expect(wrong).toContain(`Deleting ServiceToken ${ns}/doomed cannot be undone`);
    expect(wrong).toContain('"doomd" is not "doomed": nothing deleted');
    expect(wrong).toContain("EXIT=1");
    expect(await run.admin.token(ns, "doomed")).toBeDefined();

    await start("right");
    await tmux("send-keys", "-t", "right", "doomed", "Enter");
    const right = await screen("right", "EXIT=");
    expect(right).toContain(`ServiceToken ${ns}/doomed deleted.`);
    expect(right).toContain("EXIT=0");
    await eventually("doomed to be gone", async () =>
      (await run.admin.token(ns, "doomed")) === undefined ? true : undefined,
    );
  } finally {
    await tmux("kill-server").catch(() => undefined);
  }
}, 300_000);
