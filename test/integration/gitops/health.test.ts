// Health as the GitOps ecosystem computes it (issue 15), on live objects from the control
// plane: kstatus (what Flux and kpt wait with), Argo CD's health check in Lua run by the
// interpreter Argo CD embeds, and `kubectl wait`. Settled states (Active, Revoked, Expired,
// Deactivated) are healthy; a token waiting for its user is in progress; a token a person must
// fix has failed.
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVICE_TOKENS, SERVICE_USERS } from "../../../src/api/index.ts";
import { resourcePath } from "../../../src/k8s/paths.ts";
import { PATCH } from "../../../src/k8s/rest.ts";
import { addUser, controlPlane, eventually } from "../support/cluster.ts";
import { gitopsTools, runTool, verdictsByName, type GitopsTools } from "../support/gitops-tools.ts";
import { kubectl } from "../support/kubectl.ts";
import { conditionStatuses, type TestObject } from "../support/resources.ts";
import { ShiftableClock } from "../support/shiftable-clock.ts";
import { WebhookRun } from "../webhook/webhook-run.ts";

const DAY_MS = 24 * 60 * 60 * 1000;
const luaScript = (kind: string): string =>
  fileURLToPath(new URL(`../../../deploy/argocd/health-${kind}.lua`, import.meta.url));

describe("GitOps health: kstatus, Argo CD and kubectl wait read the conditions", () => {
  const clock = new ShiftableClock();
  let run: WebhookRun;
  let tools: GitopsTools;
  let ns: string;
  let owner: string;
  let idle: string;
  let tokensJson: string;
  let usersJson: string;

  const admin = (args: string[]): ReturnType<typeof kubectl> =>
    kubectl(controlPlane().adminKubeconfig, args);
  const settled = (phase: string) => (token: TestObject) =>
    token.status?.phase === phase && conditionStatuses(token).Ready === "True";

  beforeAll(async () => {
    tools = await gitopsTools();
    run = await WebhookRun.start({ clock });
    ns = await run.namespace("gitops-health");
    owner = `owner-${run.run}`;
    idle = `idle-${run.run}`;
    await run.createUser(run.admin, owner, { role: "Member" });
    await run.createUser(run.admin, idle, { role: "Member", active: false });
    await run.admin.rest.request("POST", `/api/v1/namespaces/${ns}/secrets`, {
      metadata: { name: "taken-token" },
      stringData: { mine: "keep me" },
    });
    for (const name of ["active", "revoked", "short", "taken"])
      await run.createToken(run.admin, ns, name, {
        serviceUser: owner,
        ...(name === "short" ? { expiresInDays: 1 } : {}),
      });
    // Admitted before its user exists: it waits.
    await run.createToken(run.admin, ns, "waiting", { serviceUser: `absent-${run.run}` });

    await run.admin.tokenWhere(ns, "revoked", "Active", settled("Active"));
    await run.admin.patchToken(ns, "revoked", { revoked: true });
    await run.admin.tokenWhere(ns, "short", "Active", settled("Active"));
    await run.controller?.whenIdle();
    clock.advance(DAY_MS + 1000);
    await run.admin.tokenWhere(ns, "short", "Expired", settled("Expired"));
    await run.admin.tokenWhere(ns, "revoked", "Revoked", settled("Revoked"));
    await run.admin.tokenWhere(ns, "active", "Active", settled("Active"));
    await run.admin.tokenWhere(
      ns,
      "taken",
      "Stalled",
      (t) => conditionStatuses(t).Stalled === "True",
    );
    await run.admin.tokenWhere(
      ns,
      "waiting",
      "Reconciling",
      (t) => conditionStatuses(t).Reconciling === "True",
    );

    const tokens = await admin(["get", "servicetokens", "-n", ns, "-o", "json"]);
    const users = await admin(["get", "serviceusers", owner, idle, "-o", "json"]);
    expect(tokens.code).toBe(0);
    expect(users.code).toBe(0);
    tokensJson = tokens.stdout;
    usersJson = users.stdout;
  });

  afterAll(async () => {
    await run?.stop();
  });

  it("kstatus: Active, Revoked, Expired and Deactivated are Current; waiting InProgress; a conflict Failed", async () => {
    const result = await runTool(tools.kstatusCheck, [], tokensJson + "\n" + usersJson);
    expect(result.stderr).toBe("");
    const statuses = Object.fromEntries(
      Object.entries(verdictsByName(result.stdout)).map(([name, v]) => [name, v.status]),
    );
    expect(statuses).toEqual({
      active: "Current",
      revoked: "Current",
      short: "Current",
      taken: "Failed",
      waiting: "InProgress",
      [owner]: "Current",
      [idle]: "Current",
    });
  });

  it("Argo CD's health check (gopher-lua): Healthy, Progressing while waiting, Degraded on a conflict", async () => {
    const tokens = await runTool(tools.argocdHealth, [luaScript("servicetoken")], tokensJson);
    const users = await runTool(tools.argocdHealth, [luaScript("serviceuser")], usersJson);
    expect(tokens.stderr + users.stderr).toBe("");
    const verdicts = { ...verdictsByName(tokens.stdout), ...verdictsByName(users.stdout) };
    expect(
      Object.fromEntries(Object.entries(verdicts).map(([name, v]) => [name, v.status])),
    ).toEqual({
      active: "Healthy",
      revoked: "Healthy",
      short: "Healthy",
      taken: "Degraded",
      waiting: "Progressing",
      [owner]: "Healthy",
      [idle]: "Healthy",
    });
    expect(verdicts.revoked?.message).toMatch(/^Revoked: /);
    expect(verdicts.short?.message).toMatch(/^Expired: /);
    expect(verdicts[idle]?.message).toMatch(/^Deactivated: /);
    expect(verdicts.waiting?.message).toMatch(/^ServiceUserNotFound: /);
    expect(verdicts.taken?.message).toMatch(/^SecretConflict: /);
  });

  it("Argo CD's health check: Progressing until the controller has observed the latest spec", async () => {
    const object = (name: string, generation: number, status?: object): object => ({
      kind: "ServiceToken",
      metadata: { name, namespace: ns, generation },
      ...(status ? { status } : {}),
    });
    const ready = [{ type: "Ready", status: "True", reason: "Active", message: "ok" }];
    const list = {
      kind: "List",
      items: [
        object("fresh", 1),
        object("stale", 2, { observedGeneration: 1, conditions: ready }),
        object("current", 2, { observedGeneration: 2, conditions: ready }),
      ],
    };
    const result = await runTool(
      tools.argocdHealth,
      [luaScript("servicetoken")],
      JSON.stringify(list),
    );
    const verdicts = verdictsByName(result.stdout);
    expect([verdicts.fresh?.status, verdicts.stale?.status, verdicts.current?.status]).toEqual([
      "Progressing",
      "Progressing",
      "Healthy",
    ]);
  });

  it("kstatus: a token as kube-apiserver returns it on create (no controller yet) is InProgress", async () => {
    // The CRD defaults status to observedGeneration 0: behind generation 1, so Flux's wait does
    // not take a token the controller has not reached yet for Current (no status would be).
    const created = await run.admin.rest.request<TestObject>(
      "POST",
      resourcePath(SERVICE_TOKENS, { namespace: ns }),
      {
        apiVersion: "svctokens.dev/v1alpha1",
        kind: "ServiceToken",
        metadata: { name: "just-created", namespace: ns },
        spec: { serviceUser: `nobody-${run.run}` },
      },
    );
    expect(created.status).toEqual({ observedGeneration: 0 });
    const result = await runTool(tools.kstatusCheck, [], JSON.stringify(created));
    expect(verdictsByName(result.stdout)["just-created"]?.status).toBe("InProgress");
    // Not left for the other tests of this file, which list the namespace's tokens.
    await run.admin.rest.request(
      "DELETE",
      resourcePath(SERVICE_TOKENS, { namespace: ns, name: "just-created" }),
    );
    await expect.poll(() => run.admin.token(ns, "just-created")).toBeUndefined();
  });

  it("kubectl wait --for=condition=Ready: settled tokens pass, a waiting token does not", async () => {
    const settledTokens = ["st/active", "st/revoked", "st/short"];
    const ready = await admin([
      "wait",
      "-n",
      ns,
      "--for=condition=Ready",
      "--timeout=20s",
      ...settledTokens,
    ]);
    expect(ready.code).toBe(0);
    const waiting = await admin([
      "wait",
      "-n",
      ns,
      "--for=condition=Ready",
      "--timeout=2s",
      "st/waiting",
    ]);
    expect(waiting.code).not.toBe(0);
  });

  it("kubectl wait --for=jsonpath='{.status.phase}'=Active: only the Active token", async () => {
    const wait = (token: string, timeout: string): ReturnType<typeof kubectl> =>
      admin([
        "wait",
        "-n",
        ns,
        "--for=jsonpath={.status.phase}=Active",
        `--timeout=${timeout}`,
        token,
      ]);
    expect((await wait("st/active", "20s")).code).toBe(0);
    expect((await wait("st/revoked", "2s")).code).not.toBe(0);
  });

  it("kubectl get st shows EXPIRES as a day count, never, or expired", async () => {
    const result = await admin([
      "get",
      "st",
      "-n",
      ns,
      "--no-headers",
      "-o",
      "custom-columns=NAME:.metadata.name,EXPIRES:.status.expiresIn",
    ]);
    expect(result.code).toBe(0);
    const expires = Object.fromEntries(
      result.stdout
        .trim()
        .split("\n")
        .map((line): [string, string] => {
          const [name = "", value = ""] = line.trim().split(/\s+/);
          return [name, value];
        }),
    );
    expect(expires).toEqual({
      active: "never",
      revoked: "never",
      short: "expired",
      taken: "<none>",
      waiting: "<none>",
    });
  });

  it("ServiceUsers get Events (RoleChanged, Deactivated, Reactivated); svctokens:admin sees them in describe", async () => {
    const name = `evented-${run.run}`;
    const path = resourcePath(SERVICE_USERS, { name });
    const observed = (phase: string, role: string) => () =>
      eventually(`ServiceUser ${name}: ${phase} ${role}`, async () => {
        const user = await run.admin.rest.request<TestObject>("GET", path);
        const groups = (user.status?.groups ?? []) as string[];
        return user.status?.phase === phase &&
          groups.includes(`svctokens:role:${role.toLowerCase()}`)
          ? user
          : undefined;
      });
    const patch = (spec: object): Promise<unknown> =>
      run.admin.rest.request("PATCH", path, { spec }, PATCH.merge);
    await run.createUser(run.admin, name, { role: "Member" });
    await observed("Active", "Member")();
    await patch({ role: "Admin" });
    await observed("Active", "Admin")();
    await patch({ active: false });
    await observed("Deactivated", "Admin")();
    await patch({ active: true });
    await observed("Active", "Admin")();

    // The shipped svctokens:admin ClusterRole (deploy/manifests/roles.yaml) reads Events.
    const describer = `describer-${run.run}`;
    const kubeconfig = await addUser({ name: describer, groups: [] });
    await run.bind(describer, "svctokens:admin");
    const described = await eventually("kubectl describe to show the Events", async () => {
      const result = await kubectl(kubeconfig, ["describe", "serviceuser", name]);
      return ["RoleChanged", "Deactivated", "Reactivated"].every((r) => result.stdout.includes(r))
        ? result.stdout
        : undefined;
    });
    expect(described).toContain("Role changed from Member to Admin.");
  });
});
