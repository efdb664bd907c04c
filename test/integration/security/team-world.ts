// The world of the team-roles attack tests: one operator, a team namespace with a Member's and a
// Manager's token, and the ways the tests act as those tokens. The bindings are live: they are
// set once the file's beforeAll ran.
import { afterAll, beforeAll, expect } from "vitest";
import { resourcePath, ROLE_BINDINGS, NAMESPACES } from "../../../src/k8s/paths.ts";
import { PATCH } from "../../../src/k8s/rest.ts";
import { eventually } from "../support/cluster.ts";
import { kubectl, type KubectlResult } from "../support/kubectl.ts";
import { OPERATOR_NAMESPACE } from "../support/operator.ts";
import { type TestObject } from "../support/resources.ts";
import { WebhookRun, type DeliveredToken } from "../webhook/webhook-run.ts";
import { tokenKubeconfig } from "../webhook/webhook-support.ts";

export let run: WebhookRun;
export let team: string; // a team name unique to this file
export let teamNs: string; // labelled team.svctokens.dev/<team>
export let otherNs: string; // no team label
export let noCredentials: string;
export let member: DeliveredToken;
export let manager: DeliveredToken;
export let memberUser: string;
export let managerUser: string;
export let adminUser: string;

export const teamLabel = (): string => `team.svctokens.dev/${team}`;
export const as = (token: DeliveredToken, args: string[], input?: string): Promise<KubectlResult> =>
  kubectl(noCredentials, [`--token=${token.value}`, ...args], input);
export const canI = async (token: DeliveredToken, ns: string, ...what: string[]): Promise<string> =>
  (await as(token, ["auth", "can-i", ...what, "-n", ns])).stdout.trim();

export const pod = (name: string): string =>
  JSON.stringify({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name },
    spec: { containers: [{ name: "app", image: "registry.k8s.io/pause:3.10" }] },
  });

export async function labelNamespace(
  name: string,
  labels: Record<string, string | null>,
): Promise<void> {
  await run.admin.rest.request(
    "PATCH",
    resourcePath(NAMESPACES, { name }),
    { metadata: { labels } },
    PATCH.merge,
  );
}

export async function teamBindings(ns: string): Promise<TestObject[]> {
  const selector = encodeURIComponent("app.kubernetes.io/managed-by=svctokens");
  const { items } = await run.admin.rest.request<{ items: TestObject[] }>(
    "GET",
    `${resourcePath(ROLE_BINDINGS, { namespace: ns })}?labelSelector=${selector}`,
  );
  return items;
}

/** RoleBindings as name, role and subject groups (sorted), in name order. */
export function bindingSummaries(
  bindings: TestObject[],
): { name: string | undefined; role: string; groups: string[] }[] {
  return bindings
    .map((b) => ({
      name: b.metadata?.name,
      role: (b.roleRef as { name: string }).name,
      groups: (b.subjects as { name: string }[]).map((s) => s.name).sort(),
    }))
    .sort((a, b) => String(a.name).localeCompare(String(b.name)));
}

/** Expects kubectl to have been refused by RBAC (exit code and "forbidden"). */
export function expectRefused(result: KubectlResult, message: string): void {
  expect(result.code).not.toBe(0);
  expect(result.stderr).toContain(message);
}

/**
 * Starts this file's operator with a team of three users (Member, Manager, Admin) and the
 * Member's and Manager's tokens in the team namespace; tears it down after the file.
 */
export function teamWorld(): void {
  beforeAll(async () => {
    run = await WebhookRun.start();
    team = `pay-${run.run}`;
    teamNs = await run.namespace("team");
    otherNs = await run.namespace("other");
    await labelNamespace(teamNs, { [teamLabel()]: "" });
    memberUser = `sec-member-${run.run}`;
    managerUser = `sec-manager-${run.run}`;
    adminUser = `sec-admin-${run.run}`;
    await run.createUser(run.admin, memberUser, { role: "Member", teams: [team] });
    await run.createUser(run.admin, managerUser, { role: "Manager", teams: [team] });
    await run.createUser(run.admin, adminUser, { role: "Admin", teams: [team] });
    await run.createToken(run.admin, teamNs, "member", { serviceUser: memberUser });
    await run.createToken(run.admin, teamNs, "manager", { serviceUser: managerUser });
    [member, manager] = await Promise.all([
      run.delivered(teamNs, "member"),
      run.delivered(teamNs, "manager"),
    ]);
    noCredentials = await tokenKubeconfig(run.dir);
    await eventually("the default ServiceAccount", () =>
      run.admin.rest.request("GET", `/api/v1/namespaces/${teamNs}/serviceaccounts/default`),
    );
    await eventually("the Manager to create Pods in its team namespace", async () =>
      (await canI(manager, teamNs, "create", "pods")) === "yes" ? true : undefined,
    );
  }, 240_000);

  afterAll(async () => {
    // Never leave a team label on the cluster's own namespaces to the next file.
    for (const ns of ["kube-system", OPERATOR_NAMESPACE]) {
      await labelNamespace(ns, { [teamLabel()]: null }).catch(() => undefined);
    }
    await run?.stop();
  }, 240_000);
}
