// Any apply order (issue 15): a ServiceUser and its ServiceTokens in one set apply in one pass,
// with `kubectl apply -k` (which sorts ServiceToken before ServiceUser) and with Flux's own
// apply library (fluxcd/pkg/ssa: dry-run of the whole set, ApplyAllStaged, WaitForSet), also
// after committing `revoked: true`. The controller and webhook run under their shipped
// identities; admission is scoped to this file's labelled objects.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVICE_TOKENS } from "../../../src/api/index.ts";
import { resourcePath } from "../../../src/k8s/paths.ts";
import { controlPlane, eventually } from "../support/cluster.ts";
import { gitopsTools, runTool, type GitopsTools } from "../support/gitops-tools.ts";
import { kubectl } from "../support/kubectl.ts";
import { conditionStatuses, type TestObject } from "../support/resources.ts";
import { WebhookRun } from "../webhook/webhook-run.ts";

describe("GitOps: a user and its tokens in one set, any apply order", () => {
  let run: WebhookRun;
  let tools: GitopsTools;
  let ns: string;
  let dir: string;

  beforeAll(async () => {
    tools = await gitopsTools();
    run = await WebhookRun.start();
    ns = await run.namespace("gitops-order");
    dir = await mkdtemp(join(tmpdir(), "svctokens-gitops-"));
  });

  afterAll(async () => {
    await run?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** A ServiceUser and its tokens as a Git repository would hold them (JSON is YAML). */
  const manifests = (user: string, tokens: string[], revoked = false): object[] => [
    {
      apiVersion: "svctokens.dev/v1alpha1",
      kind: "ServiceUser",
      metadata: { name: user, labels: run.labels },
      spec: { role: "Member", teams: ["gitops"] },
    },
    ...tokens.map((name) => ({
      apiVersion: "svctokens.dev/v1alpha1",
      kind: "ServiceToken",
      metadata: { name, namespace: ns, labels: run.labels },
      spec: { serviceUser: user, expiresInDays: 30, revoked },
    })),
  ];

  /** Writes one manifest per file into a fresh directory; returns it. */
  const writeSet = async (name: string, objects: object[]): Promise<string> => {
    const setDir = await mkdtemp(join(dir, `${name}-`));
    await Promise.all(
      objects.map((object, i) =>
        writeFile(join(setDir, `${String(i)}.yaml`), JSON.stringify(object, null, 2)),
      ),
    );
    return setDir;
  };
  const phases = async (names: string[]): Promise<(string | undefined)[]> =>
    Promise.all(
      names.map(async (name) => (await run.admin.token(ns, name))?.status?.phase as string),
    );
  const settled = (phase: string) => (token: TestObject) =>
    token.status?.phase === phase && conditionStatuses(token).Ready === "True";

  it("kubectl apply -k of a user and its tokens succeeds on the first run", async () => {
    const user = `kustomize-${run.run}`;
    const setDir = await writeSet("kustomize", manifests(user, ["ci", "deploy"]));
    await writeFile(
      join(setDir, "kustomization.yaml"),
      JSON.stringify({ resources: ["0.yaml", "1.yaml", "2.yaml"] }),
    );
    const applied = await kubectl(controlPlane().adminKubeconfig, ["apply", "-k", setDir]);
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    // kustomize really sent a token before its user: the order the old webhook refused.
    const tokenLine = applied.stdout.indexOf("servicetoken.svctokens.dev/ci");
    const userLine = applied.stdout.indexOf(`serviceuser.svctokens.dev/${user}`);
    expect(tokenLine).toBeGreaterThanOrEqual(0);
    expect(tokenLine).toBeLessThan(userLine);
    for (const name of ["ci", "deploy"])
      await run.admin.tokenWhere(ns, name, "Active and Ready", settled("Active"));
  });

  it("Flux's ApplyAllStaged + WaitForSet: healthy in one pass, and after committing revoked: true", async () => {
    const user = `flux-${run.run}`;
    const tokens = ["flux-ci", "flux-deploy"];
    const kubeconfig = controlPlane().adminKubeconfig;
    const apply = (setDir: string): Promise<{ code: number; stdout: string; stderr: string }> =>
      runTool(tools.fluxApply, ["-kubeconfig", kubeconfig, "-dir", setDir, "-timeout", "60s"]);

    const first = await apply(await writeSet("flux-1", manifests(user, tokens)));
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`ServiceUser/${user} created`);
    expect(first.stdout).toContain("all objects are Current");
    expect(await phases(tokens)).toEqual(["Active", "Active"]);

    const second = await apply(await writeSet("flux-2", manifests(user, tokens, true)));
    expect(second.stderr).toBe("");
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`ServiceToken/${ns}/flux-ci configured`);
    for (const name of tokens)
      await run.admin.tokenWhere(ns, name, "Revoked and Ready", settled("Revoked"));
  });

  it("Flux fails fast on a token a person must fix (SecretConflict: Stalled → Failed)", async () => {
    await run.admin.rest.request("POST", `/api/v1/namespaces/${ns}/secrets`, {
      metadata: { name: "taken-token" },
      stringData: { mine: "keep me" },
    });
    const user = `flux-conflict-${run.run}`;
    const setDir = await writeSet("flux-conflict", manifests(user, ["taken"]));
    const result = await runTool(tools.fluxApply, [
      "-kubeconfig",
      controlPlane().adminKubeconfig,
      "-dir",
      setDir,
      "-timeout",
      "60s",
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/ServiceToken\/.*taken.*Failed|Failed.*taken/s);
  });

  it("refuses a token for a user that does not exist yet when the requester is not an Admin", async () => {
    const writer = await run.person(`gitops-writer-${run.run}`, await run.writerRole());
    const attempt = run
      .createToken(writer, ns, "sneaky", { serviceUser: `later-${run.run}` })
      .then(() => "created")
      .catch((error: unknown) => String(error));
    expect(await attempt).toMatch(/Creating ServiceToken .*sneaky/);
    expect(await run.admin.token(ns, "sneaky")).toBeUndefined();
  });

  it("refuses a token for a user that exists and is deactivated, even from an Admin", async () => {
    const idle = `idle-${run.run}`;
    await run.createUser(run.admin, idle, { role: "Member", active: false });
    // Dry runs until the webhook's cache has seen the new user (until then it is "not there
    // yet", which admits: the controller would still generate nothing for a deactivated user).
    const path = `${resourcePath(SERVICE_TOKENS, { namespace: ns })}?dryRun=All`;
    const refusal = await eventually("the webhook to refuse a token for a deactivated user", () =>
      run.admin.rest
        .request("POST", path, {
          apiVersion: "svctokens.dev/v1alpha1",
          kind: "ServiceToken",
          metadata: { name: "idle", namespace: ns, labels: run.labels },
          spec: { serviceUser: idle },
        })
        .then(() => undefined)
        .catch((error: unknown) => String(error)),
    );
    expect(refusal).toMatch(/ServiceUser "idle-.*" is deactivated; reactivate it/);
  });
});
