// The webhook as a separate process (`node src/webhook/main.ts`): its deployed entry point,
// configured only by the environment, with serving certificate files as in `tls.mode: files`.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeUserKubeconfig } from "../../../src/devenv/identities.ts";
import { operatorServiceAccount } from "../../../src/devenv/local-operator.ts";
import { freeLoopbackPort } from "../../../src/devenv/ports.ts";
import { loadCertificateAuthorityFiles } from "../../../src/tls/pki.ts";
import { controlPlane, eventually } from "./cluster.ts";
import { spawnOperatorProcess } from "./operator-process.ts";

const MAIN = fileURLToPath(new URL("../../../src/webhook/main.ts", import.meta.url));

/** A running webhook process: where it serves, the CA its certificate chains to. */
export interface WebhookProcess {
  url: string;
  caPem: string;
  stop(): Promise<void>;
}

/** Starts `node src/webhook/main.ts` under the webhook's identity; resolves once /readyz is 200. */
export async function startWebhookProcess(name: string): Promise<WebhookProcess> {
  const info = controlPlane();
  const dir = join(info.dir, `webhook-process-${name}`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const ca = await loadCertificateAuthorityFiles(info.caCertFile, info.caKeyFile);
  const serving = await ca.issue({
    usage: "server",
    commonName: "svctokens-webhook",
    ipAddresses: ["127.0.0.1"],
  });
  await writeFile(join(dir, "tls.crt"), serving.certPem);
  await writeFile(join(dir, "tls.key"), serving.keyPem, { mode: 0o600 });
  const kubeconfig = await writeUserKubeconfig(
    info,
    operatorServiceAccount("svctokens-webhook"),
    join(dir, "webhook.kubeconfig"),
  );
  const [port, metricsPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
  const { child, exited } = spawnOperatorProcess(MAIN, `webhook-${name}`, kubeconfig, {
    SVCTOKENS_TLS_MODE: "files",
    SVCTOKENS_TLS_CERT_FILE: join(dir, "tls.crt"),
    SVCTOKENS_TLS_KEY_FILE: join(dir, "tls.key"),
    SVCTOKENS_WEBHOOK_HOST: "127.0.0.1",
    SVCTOKENS_WEBHOOK_PORT: String(port),
    SVCTOKENS_WEBHOOK_METRICS_PORT: String(metricsPort),
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  try {
    await eventually(
      `webhook process ${name} to be ready`,
      async () => {
        const res = await fetch(`http://127.0.0.1:${metricsPort}/readyz`).catch(() => undefined);
        return res?.ok ? true : undefined;
      },
      60_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `https://127.0.0.1:${port}`, caPem: ca.certPem, stop };
}
