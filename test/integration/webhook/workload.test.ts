// A workload's view: it reads its token from the delivery Secret and runs kubectl with nothing
// but `--token`. kube-apiserver asks the webhook who that is, RBAC decides through the role
// groups: in a namespace of their team (labelled team.svctokens.dev/<team>, bound by the
// controller) a Member reads Pods but may not create them, a Manager may, and a role change
// applies to the next request once kube-apiserver's built-in 10 s cache of successes has passed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NAMESPACES, resourcePath } from "../../../src/k8s/paths.ts";
import { PATCH } from "../../../src/k8s/rest.ts";
import { eventually } from "../support/cluster.ts";
import { kubectl, type KubectlResult } from "../support/kubectl.ts";
import { WebhookRun, type DeliveredToken } from "./webhook-run.ts";
import { authenticateDirect } from "./webhook-http.ts";
import { tokenKubeconfig } from "./webhook-support.ts";

let run: WebhookRun;
let ns: string; // a namespace of team `team`
let team: string;
let noCredentials: string; // server and CA only: the token comes from the command line
let memberUser: string;
let member: DeliveredToken;
let manager: DeliveredToken;

const withToken = (token: DeliveredToken, args: string[], input?: string): Promise<KubectlResult> =>
  kubectl(noCredentials, [`--token=${token.value}`, "-n", ns, ...args], input);

const canI = async (token: DeliveredToken, verb: string): Promise<string> =>
  (await withToken(token, ["auth", "can-i", verb, "pods"])).stdout.trim();

const pod = (name: string): string =>
  JSON.stringify({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name },
    spec: { containers: [{ name: "app", image: "registry.k8s.io/pause:3.10" }] },
  });

beforeAll(async () => {
  run = await WebhookRun.start();
  ns = await run.namespace("workload");
  team = `apps-${run.run}`;
  await run.admin.rest.request(
    "PATCH",
    resourcePath(NAMESPACES, { name: ns }),
    { metadata: { labels: { [`team.svctokens.dev/${team}`]: "" } } },
    PATCH.merge,
  );
  memberUser = `wl-member-${run.run}`;
  const managerUser = `wl-manager-${run.run}`;
  await run.createUser(run.admin, memberUser, { role: "Member", teams: [team] });
  await run.createUser(run.admin, managerUser, { role: "Manager", teams: [team] });
  await run.createToken(run.admin, ns, "member", { serviceUser: memberUser });
  await run.createToken(run.admin, ns, "manager", { serviceUser: managerUser });
  [member, manager] = await Promise.all([
    run.delivered(ns, "member"),
    run.delivered(ns, "manager"),
  ]);
  noCredentials = await tokenKubeconfig(run.dir);
  // Pods need the namespace's default ServiceAccount (kube-controller-manager creates it).
  await eventually("the default ServiceAccount", () =>
    run.admin.rest.request("GET", `/api/v1/namespaces/${ns}/serviceaccounts/default`),
  );
  // The controller binds the team's groups in the namespace a moment after the label.
  await eventually("the team's RoleBindings to apply", async () =>
    (await canI(member, "list")) === "yes" ? true : undefined,
  );
}, 180_000);

afterAll(async () => {
  await run?.stop();
}, 240_000);

describe("a workload's token at kube-apiserver", () => {
  it("is its Service User, with the role and team groups", async () => {
    const result = await withToken(member, ["auth", "whoami", "-o", "json"]);
    expect(result.stderr).toBe("");
    const user = (JSON.parse(result.stdout) as { status: { userInfo: Record<string, unknown> } })
      .status.userInfo;
    expect(user.username).toBe(`${memberUser}@service`);
    expect(user.groups).toEqual(
      expect.arrayContaining([
        "svctokens:service-users",
        "svctokens:role:member",
        `svctokens:team:${team}`,
        `svctokens:team:${team}:member`,
      ]),
    );
  });

  it("lets a Member list Pods but not create them", async () => {
    const list = await withToken(member, ["get", "pods"]);
    expect(list).toMatchObject({ code: 0, stderr: `No resources found in ${ns} namespace.\n` });
    expect(await canI(member, "list")).toBe("yes");
    expect(await canI(member, "create")).toBe("no");
    const create = await withToken(member, ["create", "-f", "-"], pod("by-member"));
    expect(create.code).not.toBe(0);
    expect(create.stderr).toContain(
      `pods is forbidden: User "${memberUser}@service" cannot create resource "pods" in API ` +
        `group "" in the namespace "${ns}"`,
    );
  });

  it("lets a Manager create a Pod, which stays Pending (there are no nodes)", async () => {
    expect(await canI(manager, "create")).toBe("yes");
    const create = await withToken(manager, ["create", "-f", "-"], pod("by-manager"));
    expect(create).toMatchObject({ code: 0, stdout: "pod/by-manager created\n" });
    const phase = await withToken(manager, [
      "get",
      "pod",
      "by-manager",
      "-o",
      "jsonpath={.status.phase}",
    ]);
    expect(phase.stdout).toBe("Pending");
  });

  it("applies a role change to the next request: at once at the webhook, after kube-apiserver's 10 s cache", async () => {
    // A fresh success for the Member token sits in kube-apiserver's cache: the worst case.
    expect(await canI(member, "create")).toBe("no");
    await run.admin.patchUser(memberUser, { role: "Manager" });
    const accepted = performance.now();
    const groups = await eventually(
      "the webhook to answer the Manager role",
      async () => {
        const review = await authenticateDirect(run.service, member.value);
        const answered = review.user?.groups ?? [];
        return answered.includes("svctokens:role:manager") ? answered : undefined;
      },
      2_000,
    );
    const atWebhook = performance.now() - accepted;
    expect(groups).not.toContain("svctokens:role:member");

    await eventually(
      "kube-apiserver to let the promoted token create Pods",
      async () => ((await canI(member, "create")) === "yes" ? true : undefined),
      20_000,
    );
    const atApiserver = performance.now() - accepted;
    process.stderr.write(
      `[workload] role change: webhook answers Manager after ${Math.round(atWebhook)} ms, ` +
        `kube-apiserver grants it after ${Math.round(atApiserver)} ms\n`,
    );
    const create = await withToken(member, ["create", "-f", "-"], pod("by-promoted"));
    expect(create).toMatchObject({ code: 0, stdout: "pod/by-promoted created\n" });
  });
});
