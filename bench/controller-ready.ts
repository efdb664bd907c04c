// Benchmark: how long 1,000 ServiceTokens take to become Ready on a fresh local control plane,
// with the controller in-process. `npm run bench:controller [-- COUNT]`. Prints figures only.
import { execFileSync } from "node:child_process";
import { pino } from "pino";
import { Controller } from "../src/controller/controller.ts";
import { SERVICE_TOKENS, SERVICE_USERS } from "../src/api/index.ts";
import { LocalControlPlane } from "../src/devenv/controlplane.ts";
import { loadKubeConfig } from "../src/k8s/kubeconfig.ts";
import type { KubeObject } from "../src/k8s/object.ts";
import { resourcePath } from "../src/k8s/paths.ts";
import { KubeRest } from "../src/k8s/rest.ts";

const count = Number(process.argv[2] ?? 1000);
const say = (message: string): boolean => process.stdout.write(`${message}\n`);

const controlPlane = await LocalControlPlane.start();
try {
  const kubectl = (...args: string[]): string =>
    execFileSync("kubectl", args, {
      env: { ...process.env, KUBECONFIG: controlPlane.info.adminKubeconfig },
    }).toString();
  kubectl("apply", "--server-side", "-f", new URL("../deploy/crds", import.meta.url).pathname);
  kubectl(
    "wait",
    "--for=condition=Established",
    "crd/servicetokens.svctokens.dev",
    "crd/serviceusers.svctokens.dev",
  );
  kubectl("create", "namespace", "svctokens-system");
  kubectl("create", "namespace", "bench");
  const kubeConfig = loadKubeConfig(controlPlane.info.adminKubeconfig);
  const rest = new KubeRest(kubeConfig);
  await rest.request("POST", resourcePath(SERVICE_USERS), {
    apiVersion: "svctokens.dev/v1alpha1",
    kind: "ServiceUser",
    metadata: { name: "bench" },
    spec: { role: "Member" },
  });

  const controller = new Controller({
    kubeConfig,
    operatorNamespace: "svctokens-system",
    identity: "bench",
    resyncMs: 600_000,
    concurrency: 8,
    log: pino({ level: "silent" }),
  });
  controller.start();
  await controller.caches.synced();

  const started = performance.now();
  let next = 0;
  const createOne = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      await rest.request("POST", resourcePath(SERVICE_TOKENS, { namespace: "bench" }), {
        apiVersion: "svctokens.dev/v1alpha1",
        kind: "ServiceToken",
        metadata: { name: `t-${i}` },
        spec: { serviceUser: "bench", expiresInDays: 30 },
      });
    }
  };
  await Promise.all(Array.from({ length: 16 }, createOne));
  const created = performance.now();
  const isReady = (token: KubeObject): boolean =>
    (
      token.status as { conditions?: { type: string; status: string }[] } | undefined
    )?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
  for (;;) {
    const ready = controller.caches.tokens.list().filter(isReady).length;
    if (ready >= count) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const done = performance.now();
  say(`tokens: ${count}`);
  say(`created (16 parallel clients): ${((created - started) / 1000).toFixed(1)} s`);
  say(
    `all Ready after first create: ${((done - started) / 1000).toFixed(1)} s (${(count / ((done - started) / 1000)).toFixed(0)} tokens/s)`,
  );
  const writes = (await controller.metrics.apiRequests.get()).values
    .filter((v) => ["POST", "PATCH", "PUT", "DELETE"].includes(String(v.labels.verb)))
    .reduce((sum, v) => sum + v.value, 0);
  say(`controller writes: ${writes} (${(writes / count).toFixed(1)} per token)`);
  await controller.stop();
  rest.close();
} finally {
  await controlPlane.stop();
}
