// Benchmark: how long after a revocation's PATCH answer kube-apiserver refuses the token, with
// the svctokens authorizer and without it (token authenticator only; kube-apiserver's own 10 s
// cache of successes plus --authentication-token-webhook-cache-ttl, here 0s, then bound it).
// Each try: a successful request (the authentication is now cached), revoke, poll until refused,
// restore, poll until allowed; then the admin's latency (never sent to the webhook), both ways.
// `npm run bench:revocation [-- TRIES_WITH [TRIES_WITHOUT]]`.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pino } from "pino";
import { SERVICE_TOKENS, SERVICE_USERS } from "../src/api/index.ts";
import { LocalControlPlane } from "../src/devenv/controlplane.ts";
import { kubeconfigYaml } from "../src/devenv/kubeconfig.ts";
import { deployPath, installCrds, runKubectl } from "../src/devenv/kubectl.ts";
import { startLocalController, startLocalWebhook } from "../src/devenv/local-operator.ts";
import { KubeApiError } from "../src/k8s/errors.ts";
import { loadKubeConfig } from "../src/k8s/kubeconfig.ts";
import { resourcePath } from "../src/k8s/paths.ts";
import { KubeRest, PATCH } from "../src/k8s/rest.ts";

const triesWith = Number(process.argv[2] ?? 20);
const triesWithout = Number(process.argv[3] ?? 10);
const ADMIN_REQUESTS = 300;
const say = (message: string): boolean => process.stdout.write(`${message}\n`);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What one control plane measured (ms). */
interface Measured {
  revocations: number[];
  /** The cluster admin's requests (a certificate): they never reach the webhook. */
  admin: number[];
}

/** `tries` revocations and some admin requests on a fresh control plane. */
async function measure(authorizationWebhook: boolean, tries: number): Promise<Measured> {
  const log = pino({ level: "silent" });
  const controlPlane = await LocalControlPlane.start({ authorizationWebhook });
  const dir = await mkdtemp(join(tmpdir(), "svctokens-bench-revocation-"));
  const stops: (() => Promise<unknown>)[] = [() => controlPlane.stop()];
  try {
    const info = controlPlane.info;
    const admin = info.adminKubeconfig;
    await installCrds(admin);
    for (const file of ["namespace.yaml", "controller-rbac.yaml", "webhook-rbac.yaml"]) {
      await runKubectl(admin, ["apply", "-f", deployPath(`manifests/${file}`)]);
    }
    await runKubectl(admin, ["create", "namespace", "bench"]);
    await runKubectl(admin, [
      "create",
      "rolebinding",
      "bench-member",
      "-n",
      "bench",
      "--clusterrole=view",
      "--group=svctokens:role:member",
    ]);
    const controller = await startLocalController(info, { log });
    stops.unshift(() => controller.stop());
    const webhook = await startLocalWebhook(info, { log });
    stops.unshift(() => webhook.stop());

    const rest = new KubeRest(loadKubeConfig(admin));
    stops.unshift(() => Promise.resolve(rest.close()));
    await rest.request("POST", resourcePath(SERVICE_USERS), {
      apiVersion: "svctokens.dev/v1alpha1",
      kind: "ServiceUser",
      metadata: { name: "bench" },
      spec: { role: "Member" },
    });
    const tokenPath = resourcePath(SERVICE_TOKENS, { namespace: "bench", name: "ci" });
    await rest.request("POST", resourcePath(SERVICE_TOKENS, { namespace: "bench" }), {
      apiVersion: "svctokens.dev/v1alpha1",
      kind: "ServiceToken",
      metadata: { name: "ci", namespace: "bench" },
      spec: { serviceUser: "bench" },
    });
    const value = await until(async () => {
      const secret = await rest
        .request<{ data?: { token?: string } }>("GET", "/api/v1/namespaces/bench/secrets/ci-token")
        .catch(() => undefined);
      const token = secret?.data?.token;
      return token === undefined ? undefined : Buffer.from(token, "base64").toString();
    });
    const kubeconfig = join(dir, "token.kubeconfig");
    const caPem = await readFile(info.caCertFile, "utf8");
    await writeFile(kubeconfig, kubeconfigYaml(info.server, caPem, "bench", { token: value }), {
      mode: 0o600,
    });
    const asToken = new KubeRest(loadKubeConfig(kubeconfig));
    stops.unshift(() => Promise.resolve(asToken.close()));
    const status = (): Promise<number> =>
      asToken
        .request("GET", "/api/v1/namespaces/bench/configmaps")
        .then(() => 200)
        .catch((error: unknown) => (error instanceof KubeApiError ? error.status : 0));

    const latencies: number[] = [];
    for (let i = 0; i < tries; i++) {
      await until(async () => ((await status()) === 200 ? true : undefined));
      await rest.request("PATCH", tokenPath, { spec: { revoked: true } }, PATCH.merge);
      const revoked = performance.now();
      await until(async () => ([401, 403].includes(await status()) ? true : undefined));
      latencies.push(performance.now() - revoked);
      await rest.request("PATCH", tokenPath, { spec: { revoked: false } }, PATCH.merge);
    }
    const adminLatencies: number[] = [];
    for (let i = 0; i < ADMIN_REQUESTS; i++) {
      const started = performance.now();
      await rest.request("GET", "/api/v1/namespaces/bench/configmaps");
      adminLatencies.push(performance.now() - started);
    }
    return { revocations: latencies, admin: adminLatencies };
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

/** Polls every 5 ms (plus the request's own time) until `check` returns a value. */
async function until<T>(check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error("timed out");
    await sleep(5);
  }
}

function figures(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): string =>
    (sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0).toFixed(0);
  return `n=${sorted.length} p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`;
}

const withAuthorizer = await measure(true, triesWith);
say(
  `revoke → refused by kube-apiserver, with the svctokens authorizer: ${figures(withAuthorizer.revocations)}`,
);
const without = await measure(false, triesWithout);
say(
  `revoke → refused by kube-apiserver, authenticator only (10 s success cache, webhook cache TTL 0s): ${figures(without.revocations)}`,
);
const median = (samples: number[]): number =>
  [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)] ?? NaN;
say(
  `admin (certificate) GET, with / without the authorizer: ${figures(withAuthorizer.admin)} / ` +
    `${figures(without.admin)}; median ratio ${(median(withAuthorizer.admin) / median(without.admin)).toFixed(2)}`,
);
