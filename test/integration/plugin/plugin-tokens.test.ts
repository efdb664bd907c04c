// `kubectl svctokens` token commands, driven through kubectl's plugin discovery against the
// real control plane with the webhook registered: generate (client-generated and delivered),
// list, inspect, revoke, restore, rotate and delete, as an Admin by RBAC, as a writer who is no
// Admin (the webhook refuses, in its words) and as a user without rights (RBAC refuses).
import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ROTATE_REQUESTED_AT_ANNOTATION } from "../../../src/api/index.ts";
import { generateToken, hashToken, isWellFormedToken } from "../../../src/tokens/index.ts";
import { controlPlane, eventually } from "../support/cluster.ts";
import { ShiftableClock } from "../support/shiftable-clock.ts";
import { verifyDirect } from "../webhook/webhook-http.ts";
import { WebhookRun } from "../webhook/webhook-run.ts";
import { notAdminDenial } from "../webhook/webhook-support.ts";
import {
  capturingLogger,
  clusterTexts,
  expectExit,
  personKubeconfig,
  runLabel,
  svctokens,
} from "./plugin-support.ts";

const DAY_MS = 24 * 3600 * 1000;
const clock = new ShiftableClock();
const logs = capturingLogger();
let run: WebhookRun;
let ns: string;
let admin: string;
let writer: string;
let nobody: string;
let dir: string;
let ciValue: string;

const asAdmin = (args: string[], call = {}) => svctokens(admin, [...args, "-n", ns], call);
const verifies = async (value: string): Promise<boolean> =>
  (await verifyDirect(run.service, value)).status === 200;

beforeAll(async () => {
  run = await WebhookRun.start({ clock, log: logs.log });
  ns = await run.namespace("plugin");
  dir = await mkdtemp(join(tmpdir(), "svctokens-plugin-"));
  admin = await personKubeconfig(run, `pat-${run.run}`, "svctokens:admin");
  writer = await personKubeconfig(run, `eddie-${run.run}`, await run.writerRole());
  nobody = await personKubeconfig(run, `alice-${run.run}`);
  const created = await svctokens(admin, [
    "users",
    "create",
    `bot-${run.run}`,
    "--role",
    "Member",
    "--team",
    "platform",
    "--display-name",
    "CI bot",
    ...runLabel(run),
  ]);
  expectExit(created, 0);
  expect(created.stderr).toContain(`ServiceUser bot-${run.run} created (Member)`);
});

afterAll(async () => {
  await run?.stop();
});

const user = (): string => `bot-${run.run}`;
const generate = (name: string, ...extra: string[]) =>
  asAdmin(["generate", name, "--user", user(), ...runLabel(run), ...extra]);

it("generates a client-side token: printed once, authenticates, found nowhere in the cluster or the logs", async () => {
  const result = await generate("ci", "--expires", "30d");
  expectExit(result, 0);
  ciValue = result.stdout.trim();
  expect(isWellFormedToken(ciValue)).toBe(true);
  expect(result.stderr).toContain("This is the only time the value is shown");
  expect(result.stderr).toContain(`ServiceToken ${ns}/ci is Active`);
  const token = await run.admin.token(ns, "ci");
  expect(token?.spec).toMatchObject({ tokenHash: hashToken(ciValue), expiresInDays: 30 });

  // It authenticates, through kube-apiserver (TokenReview) and /verify.
  const review = await run.admin.rest.request<{
    status: { authenticated?: boolean; user?: { username: string } };
  }>("POST", "/apis/authentication.k8s.io/v1/tokenreviews", {
    apiVersion: "authentication.k8s.io/v1",
    kind: "TokenReview",
    spec: { token: ciValue },
  });
  expect(review.status).toMatchObject({
    authenticated: true,
    user: { username: `${user()}@service` },
  });
  expect(await verifies(ciValue)).toBe(true);

  // The value is in no Secret, no svctokens object, no Event, no ConfigMap, no log line.
  const stored = await clusterTexts(run.admin);
  expect(stored.secrets).toBeGreaterThan(0);
  for (const text of [...stored.texts, logs.text()]) expect(text).not.toContain(ciValue);
  expect(logs.text()).toContain(String(token?.status?.tokenId)); // the logs did see the token
});

it("inspects a value from stdin, an environment variable or a file, offline and online", async () => {
  const file = join(dir, "inspect.txt");
  await writeFile(file, ciValue);
  const [online, fromEnv, offline, stranger, broken, unset] = await Promise.all([
    asAdmin(["inspect"], { input: `${ciValue}\n` }),
    asAdmin(["inspect", "--from-env", "MY_TOKEN"], { env: { MY_TOKEN: ciValue } }),
    svctokens("/nonexistent", ["inspect", "--from-file", file, "--offline"]),
    asAdmin(["inspect"], { input: generateToken() }),
    // One character changed (a value that already ended in x stayed valid: 1 run in 62).
    asAdmin(["inspect"], { input: `${ciValue.slice(0, -1)}${ciValue.endsWith("x") ? "y" : "x"}` }),
    asAdmin(["inspect", "--from-env", "UNSET_VARIABLE_X"]),
  ]);
  expectExit(online, 0);
  expect(online.stdout).toMatch(
    /Token:\s+well formed \(prefix svct_ ok, length 54 ok, checksum ok\)/,
  );
  expect(online.stdout).toMatch(new RegExp(`ServiceToken:\\s+${ns}/ci`));
  expect(online.stdout).toMatch(new RegExp(`User:\\s+${user()} \\(role Member, Active\\)`));
  expect(online.stdout).toMatch(/Status:\s+Active\n/);
  expect(online.stdout).toMatch(/Expires:\s+in 29 days/);
  for (const result of [online, fromEnv, offline]) expect(result.stdout).not.toContain(ciValue);
  expectExit(fromEnv, 0);
  expect(fromEnv.stdout).toContain(`${ns}/ci`);
  expectExit(offline, 0);
  expect(offline.stdout).toMatch(/Token id:\s+[0-9a-f]{16}/);
  expect(offline.stdout).not.toContain("ServiceToken");
  expectExit(stranger, 1);
  expect(stranger.stderr).toContain("not a token of this cluster");
  expectExit(broken, 1);
  expect(broken.stderr).toContain(
    "not an svctokens token: prefix svct_ ok, length 54 ok, checksum WRONG",
  );
  expectExit(unset, 2);
});

it("writes a value to a 0600 file, delivers into a Secret, makes SCIM tokens, refuses taken names", async () => {
  const file = join(dir, "f.txt");
  const [named, defaultName, delivered, scim, taken, tooLong, showAlone] = await Promise.all([
    generate("filed", "--expires", "90d", "--output", file),
    asAdmin(
      ["generate", "dflt", "--user", user(), "--expires", "60d", "--output", ...runLabel(run)],
      {
        cwd: dir,
      },
    ),
    // The cluster admin: --show reads the Secret, which svctokens:admin alone may not.
    svctokens(controlPlane().adminKubeconfig, [
      "generate",
      "app",
      "--user",
      user(),
      "--expires",
      "never",
      "--deliver",
      "--show",
      "-n",
      ns,
      ...runLabel(run),
    ]),
    generate("scim", "--expires", "1y", "--scim"),
    generate("ci", "--expires", "30d"),
    generate("bad", "--expires", "400d"),
    generate("bad", "--expires", "30d", "--show"),
  ]);
  expectExit(named, 0);
  expect(named.stdout).toBe("");
  const written = (await readFile(file, "utf8")).trim();
  expect(await run.admin.token(ns, "filed")).toMatchObject({
    spec: { tokenHash: hashToken(written) },
  });
  expect((await stat(file)).mode & 0o777).toBe(0o600);
  const again = await generate("filed2", "--expires", "90d", "--output", file);
  expectExit(again, 1);
  expect(again.stderr).toContain("f.txt exists: refusing to overwrite it");
  expect(await run.admin.token(ns, "filed2")).toBeUndefined();
  expectExit(defaultName, 0);
  const dflt = (await readFile(join(dir, "dflt-token.txt"), "utf8")).trim();
  expect(isWellFormedToken(dflt)).toBe(true);

  expectExit(delivered, 0);
  expect(delivered.stderr).toContain(`The value is in Secret ${ns}/app-token`);
  expect(delivered.stdout.trim()).toBe((await run.delivered(ns, "app")).value);
  expectExit(scim, 0);
  expect(await run.admin.token(ns, "scim")).toMatchObject({
    spec: { audiences: ["scim"], expiresInDays: 365 },
  });
  expectExit(taken, 1);
  expect(taken.stderr).toContain('servicetokens.svctokens.dev "ci" already exists');
  expect(taken.stderr).toContain("The name is taken");
  expect(taken.stdout).toBe("");
  expectExit(tooLong, 2);
  expect(tooLong.stderr).toContain("is not a lifetime");
  expectExit(showAlone, 2);
});

it("lists tokens: name, user, expiration, last used, status; filters; -A; wide, json, yaml", async () => {
  await eventually(
    "ci's last use to be recorded",
    async () => (await run.admin.token(ns, "ci"))?.status?.lastUsedAt,
  );
  const [table, all, wide, json, yaml, badStatus] = await Promise.all([
    asAdmin(["list"]),
    svctokens(admin, ["list", "-A", "--user", user(), "--unused", "1"]),
    asAdmin(["list", "-o", "wide"]),
    asAdmin(["list", "-o", "json"]),
    asAdmin(["list", "-o", "yaml", "--status", "revoked"]),
    asAdmin(["list", "--status", "gone"]),
  ]);
  expectExit(table, 0);
  const lines = table.stdout.trim().split("\n");
  expect(lines[0]).toMatch(/^NAME\s+USER\s+EXPIRATION\s+LAST USED\s+STATUS$/);
  expect(lines.find((l) => l.startsWith("ci "))).toMatch(
    new RegExp(
      `^ci\\s+${user()}\\s+in 29 days\\s+(just now|\\d+ (second|minute)s? ago)\\s+Active$`,
    ),
  );
  expect(lines.find((l) => l.startsWith("app "))).toMatch(/never\s+Not used\s+Active$/);
  expect(all.stdout.split("\n")[0]).toMatch(/^NAME\s+NAMESPACE\s+USER/);
  expect(all.stdout).toMatch(new RegExp(`app\\s+${ns}`));
  expect(all.stdout).not.toMatch(/^ci\s/m); // used a moment ago
  const ci = await run.admin.token(ns, "ci");
  expect(wide.stdout).toContain(String(ci?.status?.expiresAt));
  expect(wide.stdout).toContain(String(ci?.status?.tokenId));
  expect(wide.stdout).toMatch(/^scim\s.*\sscim,client-generated\s/m);
  const items = (JSON.parse(json.stdout) as { items: { metadata: { name: string } }[] }).items;
  expect(items.map((t) => t.metadata.name).sort()).toEqual(["app", "ci", "dflt", "filed", "scim"]);
  expect(yaml.stdout).toContain("items: []");
  expectExit(badStatus, 2);
});

it("revokes, restores, rotates and deletes; refuses what the webhook or RBAC refuses", async () => {
  // First alone: an Admin's rotation in the same second would set the same annotation value,
  // which is no change for admission to refuse.
  const rotateByWriter = await svctokens(writer, ["rotate", "app", "-n", ns]);
  const [activeDelete, byWriter, byNobody, rotated, badOverlap, short] = await Promise.all([
    asAdmin(["delete", "ci", "--yes"]),
    svctokens(writer, ["revoke", "ci", "-n", ns]),
    svctokens(nobody, ["list", "-n", ns]),
    asAdmin(["rotate", "app", "--overlap", "90m"]),
    asAdmin(["rotate", "app", "--overlap", "8d"]),
    generate("short", "--expires", "1d"),
  ]);
  expectExit(activeDelete, 1);
  expect(activeDelete.stderr).toContain(`ServiceToken ${ns}/ci is Active: revoke it first`);
  expect(activeDelete.stderr).toContain(`kubectl svctokens revoke ci -n ${ns}`);
  expectExit(byWriter, 1);
  expect(byWriter.stderr).toContain(
    notAdminDenial(`Revoking ServiceToken ${ns}/ci`, `eddie-${run.run}`),
  );
  expect(byWriter.stderr).toContain("The svctokens admission webhook refused this");
  expectExit(rotateByWriter, 1);
  expect(rotateByWriter.stderr).toContain("is an Admin action");
  expectExit(byNobody, 1);
  expect(byNobody.stderr).toContain(`User "alice-${run.run}" cannot list resource "servicetokens"`);
  expect(byNobody.stderr).toContain("RBAC refused this");
  // Rotation of a delivered token: the annotation, RFC 3339, and the overlap (the controller
  // does the rest).
  expectExit(rotated, 0);
  expect(rotated.stdout).toBe("");
  const app = await run.admin.token(ns, "app");
  expect(app?.metadata?.annotations?.[ROTATE_REQUESTED_AT_ANNOTATION]).toMatch(
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
  );
  expect(app?.spec?.rotation).toEqual({ overlapMinutes: 90 });
  expectExit(badOverlap, 2);
  expectExit(short, 0);

  expectExit(await asAdmin(["revoke", "ci"]), 0);
  expect(await verifies(ciValue)).toBe(false);
  expect((await asAdmin(["list", "--status", "revoked"])).stdout).toMatch(/^ci\s.*Revoked$/m);
  expectExit(await asAdmin(["restore", "ci"]), 0);
  await eventually("ci to authenticate again", async () =>
    (await verifies(ciValue)) ? true : undefined,
  );
  // A client-generated token gets a new value made here; only its hash enters the cluster, and
  // the new value authenticates once the controller has pinned it.
  const rotatedClient = await asAdmin(["rotate", "ci"]);
  expectExit(rotatedClient, 0);
  const newValue = rotatedClient.stdout.trim();
  expect((await run.admin.token(ns, "ci"))?.spec?.tokenHash).toBe(hashToken(newValue));
  await eventually("the rotated value of ci to authenticate", async () =>
    (await verifies(newValue)) ? true : undefined,
  );

  // An expired token is never restored; the answer shows the generate command to run instead.
  clock.advance(2 * DAY_MS);
  await run.admin.tokenWhere(ns, "short", "Expired", (t) => t.status?.phase === "Expired");
  const [restoreExpired, unconfirmed] = await Promise.all([
    asAdmin(["restore", "short"]),
    asAdmin(["delete", "short"]), // no terminal and no --yes
  ]);
  expectExit(restoreExpired, 1);
  expect(restoreExpired.stderr).toContain("an expired token can never be restored");
  expect(restoreExpired.stderr).toContain(
    `kubectl svctokens generate short-new --user ${user()} --expires 1d -n ${ns}`,
  );
  expectExit(unconfirmed, 2);
  expectExit(await asAdmin(["delete", "short", "--yes"]), 0);
  const missing = await asAdmin(["revoke", "short"]);
  expectExit(missing, 1);
  expect(missing.stderr).toContain(`ServiceToken ${ns}/short not found`);
  expect(missing.stderr).toContain(`kubectl svctokens list -n ${ns}`);
}, 300_000);
