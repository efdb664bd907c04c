// kube-apiserver's authorization chain and audit policy on the local control plane: the files
// shipped in deploy/apiserver/, with the webhook's address and paths of this control plane.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, stringify } from "yaml";
import { kubeconfigYaml } from "./kubeconfig.ts";

const shipped = (name: string): string =>
  fileURLToPath(new URL(`../../deploy/apiserver/${name}`, import.meta.url));

/** The name of the svctokens authorizer in deploy/apiserver/authorization-config.yaml. */
export const SVCTOKENS_AUTHORIZER = "svctokens.dev";

interface Authorizer {
  type: string;
  name: string;
  webhook?: { connectionInfo?: { kubeConfigFile?: string } };
}

/** What the policy files need to know about this control plane. */
export interface ApiserverPolicyOptions {
  dir: string;
  webhookUrl: string;
  caPem: string;
  /** kube-apiserver's client certificate for webhooks. */
  client: { certPem: string; keyPem: string };
  /** False: Node and RBAC only, as a cluster without the svctokens authorizer runs. */
  authorizationWebhook: boolean;
}

/** Writes the files and returns kube-apiserver's flags for them, and the audit log's path. */
export async function writeApiserverPolicy(
  options: ApiserverPolicyOptions,
): Promise<{ args: string[]; auditLogPath: string }> {
  const authzKubeconfig = join(options.dir, "authz-webhook.kubeconfig");
  const authzConfig = join(options.dir, "authorization-config.yaml");
  const auditPolicy = join(options.dir, "audit-policy.yaml");
  const auditLogPath = join(options.dir, "logs", "audit.log");

  const config = parse(await readFile(shipped("authorization-config.yaml"), "utf8")) as {
    authorizers: Authorizer[];
  };
  config.authorizers = config.authorizers.flatMap((authorizer) => {
    if (authorizer.name !== SVCTOKENS_AUTHORIZER) return [authorizer];
    if (!options.authorizationWebhook) return [];
    const connectionInfo = { type: "KubeConfigFile", kubeConfigFile: authzKubeconfig };
    return [{ ...authorizer, webhook: { ...authorizer.webhook, connectionInfo } }];
  });
  await Promise.all([
    writeFile(
      authzKubeconfig,
      kubeconfigYaml(`${options.webhookUrl}/authorize`, options.caPem, "kube-apiserver", {
        clientCertPem: options.client.certPem,
        clientKeyPem: options.client.keyPem,
      }),
      { mode: 0o600 },
    ),
    writeFile(authzConfig, stringify(config)),
    writeFile(auditPolicy, await readFile(shipped("audit-policy.yaml"), "utf8")),
  ]);
  return {
    args: [
      `--authorization-config=${authzConfig}`,
      `--audit-policy-file=${auditPolicy}`,
      `--audit-log-path=${auditLogPath}`,
      // One JSON event per line, written before the response (the default blocking mode).
      "--audit-log-format=json",
      "--audit-log-maxsize=100",
      "--audit-log-maxbackup=1",
    ],
    auditLogPath,
  };
}
