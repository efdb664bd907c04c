// src/devenv/: local development: a real control plane on loopback, the operator on it.
// `npm run dev`: the whole product on a local control plane, with a sample and a guided tour.
import { createWriteStream } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createLogger } from "../log.ts";
import { KubeRest } from "../k8s/rest.ts";
import { loadKubeConfig } from "../k8s/kubeconfig.ts";
import {
  localValidatingWebhookConfiguration,
  mutatingWebhookConfiguration,
} from "../webhook/admission/registration.ts";
import { LocalControlPlane } from "./controlplane.ts";
import { DEV_DIR, freshStateDir, publishKubeconfig } from "./dev-dir.ts";
import { kubeconfigYaml } from "./kubeconfig.ts";
import { writeUserKubeconfig } from "./identities.ts";
import { deployPath, installCrds, runKubectl } from "./kubectl.ts";
import { startLocalController, startLocalWebhook } from "./local-operator.ts";
import { runUntilSignal } from "../run-until-signal.ts";
import { guidedTour, SAMPLE } from "./tour.ts";
import { readFile } from "node:fs/promises";

const say = (message: string): boolean => process.stderr.write(`${message}\n`);

const controlPlane = await LocalControlPlane.start({
  dir: await freshStateDir("controlplane"),
  // A revocation must show at once: kube-apiserver may cache a token review this long.
  tokenWebhookCacheTtl: "2s",
  log: say,
});
const stops: [string, () => Promise<void>][] = [["control plane", () => controlPlane.stop()]];
const stopAll = async (): Promise<void> => {
  for (const [name, stop] of stops.reverse()) {
    const started = Date.now();
    await stop().catch((error: unknown) => say(`stopping the ${name} failed: ${String(error)}`));
    say(`${name} stopped in ${Date.now() - started} ms`);
  }
};

try {
  const info = controlPlane.info;
  const admin = await publishKubeconfig(info.adminKubeconfig, "admin");
  say("installing CRDs and RBAC from deploy/");
  await installCrds(admin);
  for (const file of [
    "namespace.yaml",
    "controller-rbac.yaml",
    "webhook-rbac.yaml",
    "roles.yaml",
  ]) {
    await runKubectl(admin, ["apply", "-f", deployPath(`manifests/${file}`)]);
  }

  await mkdir(join(DEV_DIR, "logs"), { recursive: true });
  const logTo = (name: string): ReturnType<typeof createLogger> =>
    createLogger("info", createWriteStream(join(DEV_DIR, "logs", `${name}.log`), { flags: "a" }));
  say("starting the controller and the webhook service");
  const controller = await startLocalController(info, { log: logTo("controller") });
  stops.push(["controller", () => controller.stop()]);
  const webhook = await startLocalWebhook(info, { log: logTo("webhook"), lastUsedFlushMs: 10_000 });
  stops.push(["webhook service", () => webhook.stop()]);

  const rest = new KubeRest(loadKubeConfig(admin));
  await rest.request(
    "POST",
    "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations",
    localValidatingWebhookConfiguration(info.webhookPort, webhook.caPem),
  );
  await rest.request(
    "POST",
    "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations",
    mutatingWebhookConfiguration({
      endpoint: { url: `https://127.0.0.1:${info.webhookPort}` },
      caPem: webhook.caPem,
    }),
  );
  rest.close();

  // An Admin by RBAC only: bound to svctokens:admin, nothing else.
  const tokenAdmin = await publishKubeconfig(
    await writeUserKubeconfig(info, { name: "token-admin", groups: [] }),
    "token-admin",
  );
  await runKubectl(admin, [
    "create",
    "clusterrolebinding",
    "svctokens:dev-token-admin",
    "--clusterrole=svctokens:admin",
    "--user=token-admin",
  ]);
  await publishKubeconfig(info.aliceKubeconfig, "alice");
  // RBAC lets `editor` change tokens, but only Admins may: the webhook refuses what RBAC allows.
  await runKubectl(admin, [
    "create",
    "clusterrole",
    "svctokens:dev-editor",
    "--verb=get,list,watch,patch,update",
    "--resource=servicetokens.svctokens.dev,serviceusers.svctokens.dev",
  ]);
  await runKubectl(admin, [
    "create",
    "clusterrolebinding",
    "svctokens:dev-editor",
    "--clusterrole=svctokens:dev-editor",
    "--user=editor",
  ]);
  await publishKubeconfig(
    await writeUserKubeconfig(info, { name: "editor", groups: [] }),
    "editor",
  );
  const caPem = await readFile(info.caCertFile, "utf8");
  await writeFile(
    join(DEV_DIR, "token.kubeconfig"),
    kubeconfigYaml(info.server, caPem, "token-user", {}),
  );

  say(`labelling namespace ${SAMPLE.namespace} for team platform (as the cluster admin)`);
  await runKubectl(admin, ["apply", "-f", "-"], SAMPLE.namespaceManifest);
  say(
    `applying the sample as token-admin: ServiceUser ${SAMPLE.user} and ServiceToken ${SAMPLE.namespace}/${SAMPLE.token}`,
  );
  await runKubectl(tokenAdmin, ["apply", "-f", "-"], SAMPLE.manifest);
  await runKubectl(admin, [
    "wait",
    "--for=jsonpath={.status.phase}=Active",
    "--timeout=60s",
    "-n",
    SAMPLE.namespace,
    `servicetoken/${SAMPLE.token}`,
  ]);

  process.stdout.write(guidedTour(DEV_DIR));
  process.stdout.write("svctokens dev: ready\n");
} catch (error) {
  say(`svctokens dev failed: ${error instanceof Error ? error.message : String(error)}`);
  await stopAll();
  process.exit(1);
}
await runUntilSignal(async (signal) => {
  say(`\nreceived ${signal}, stopping...`);
  await stopAll();
});
say("stopped");
// Everything we started has stopped; do not wait for idle keep-alive sockets to time out.
process.exit(0);
