// For the authorizer tests: API access with nothing but a token, the answer's status as a
// number, role rights granted in a test namespace, and latency figures.
import { expect } from "vitest";
import { KubeApiError } from "../../../src/k8s/errors.ts";
import { eventually } from "../support/cluster.ts";
import { kubectl } from "../support/kubectl.ts";
import { controlPlane } from "../support/cluster.ts";
import { Api } from "../support/resources.ts";
import { tokenKubeconfig } from "./webhook-support.ts";
import type { WebhookRun } from "./webhook-run.ts";

/** API access as whoever `token` authenticates as. */
export async function asToken(run: WebhookRun, token: string): Promise<Api> {
  return new Api(await tokenKubeconfig(run.dir, token));
}

/** One request's outcome: 200 for any success, else the status and kube-apiserver's message. */
export interface Attempt {
  status: number;
  message: string;
}

export async function attempt(request: Promise<unknown>): Promise<Attempt> {
  try {
    await request;
    return { status: 200, message: "" };
  } catch (error) {
    if (error instanceof KubeApiError) return { status: error.status, message: error.message };
    throw error;
  }
}

export const refused = (a: Attempt): boolean => a.status === 401 || a.status === 403;

/** Lists ConfigMaps in `namespace` (what a Member may do). */
export const listConfigMaps = (api: Api, namespace: string): Promise<Attempt> =>
  attempt(api.rest.request("GET", `/api/v1/namespaces/${namespace}/configmaps`));

/** A dry-run create of a ConfigMap (what a Manager may do, and a Member may not). */
export const createConfigMap = (api: Api, namespace: string): Promise<Attempt> =>
  attempt(
    api.rest.request("POST", `/api/v1/namespaces/${namespace}/configmaps?dryRun=All`, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { generateName: "probe-" },
    }),
  );

/**
 * Rights through the role groups in `namespace` only, with RoleBindings of this test (so it
 * works whatever the controller binds): Members `view`, Managers `edit`.
 */
export async function grantRoleRights(namespace: string): Promise<void> {
  for (const [role, clusterRole] of [
    ["member", "view"],
    ["manager", "edit"],
  ] as const) {
    const binding = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: `test-role-${role}`, namespace },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterRole },
      subjects: [
        { apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: `svctokens:role:${role}` },
      ],
    };
    const admin = controlPlane().adminKubeconfig;
    const applied = await kubectl(admin, ["apply", "-f", "-"], JSON.stringify(binding));
    expect(applied.stderr).toBe("");
    await eventually(`RBAC to see the ${role} binding in ${namespace}`, async () => {
      const verb = role === "member" ? "list" : "create";
      const asGroup = `--as-group=svctokens:role:${role}`;
      const args = ["auth", "can-i", verb, "configmaps", "-n", namespace, "--as=x", asGroup];
      return (await kubectl(admin, args)).stdout.trim() === "yes" ? true : undefined;
    });
  }
}

/**
 * Polls `request` (every few ms, as fast as the API answers) until `done` holds; returns how
 * long after `since` that answer came and the answer.
 */
export async function timeUntil(
  request: () => Promise<Attempt>,
  done: (a: Attempt) => boolean,
  since: number,
): Promise<{ ms: number; answer: Attempt }> {
  let reached: { ms: number; answer: Attempt } | undefined;
  await expect
    .poll(
      async () => {
        const answer = await request();
        if (done(answer)) reached ??= { ms: performance.now() - since, answer };
        return reached !== undefined;
      },
      { timeout: 60_000, interval: 5 },
    )
    .toBe(true);
  if (reached === undefined) throw new Error("unreachable: the poll ended without an answer");
  return reached;
}

/** p50, p99 and max of `samples` (ms), for the report. */
export function percentiles(samples: readonly number[]): { p50: number; p99: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
  return { p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? NaN };
}
