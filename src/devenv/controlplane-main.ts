// `npm run controlplane`: the local control plane alone, in the foreground.
import { LocalControlPlane } from "./controlplane.ts";
import { freshStateDir, publishKubeconfig } from "./dev-dir.ts";
import { runUntilSignal } from "../run-until-signal.ts";

const say = (message: string): boolean => process.stderr.write(`${message}\n`);

const controlPlane = await LocalControlPlane.start({
  dir: await freshStateDir("controlplane"),
  log: say,
});
const admin = await publishKubeconfig(controlPlane.info.adminKubeconfig, "admin");
const alice = await publishKubeconfig(controlPlane.info.aliceKubeconfig, "alice");
say(`kube-apiserver ${controlPlane.info.kubernetesVersion} at ${controlPlane.info.server}`);
say(`  cluster admin:  KUBECONFIG=${admin} kubectl get ns`);
say(`  no rights:      KUBECONFIG=${alice} kubectl auth whoami`);
say(`  logs:           ${controlPlane.info.logsDir}`);
process.stdout.write("svctokens controlplane: ready\n");
await runUntilSignal(async (signal) => {
  say(`\nreceived ${signal}, stopping...`);
  await controlPlane.stop();
}).catch((error: unknown) => {
  say(`error while stopping: ${String(error)}`);
  process.exit(1);
});
say("control plane stopped");
// Everything we started has stopped; do not wait for idle keep-alive sockets to time out.
process.exit(0);
