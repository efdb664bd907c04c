// Identities on the local control plane: client certificates issued by its CA.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { kubeconfigYaml } from "./kubeconfig.ts";
import { loadCertificateAuthorityFiles } from "../tls/pki.ts";

/** What tests and tools need to reach a running control plane (plain data, serialisable). */
export interface ControlPlaneInfo {
  dir: string;
  server: string;
  caCertFile: string;
  caKeyFile: string;
  adminKubeconfig: string;
  aliceKubeconfig: string;
  /** Where kube-apiserver's token authenticator expects the webhook service. */
  webhookPort: number;
  webhookUrl: string;
  /**
   * Name (CN) of the client certificate kube-apiserver presents to the webhook service, for
   * token reviews and admission: the name the service pins.
   */
  webhookClientCommonName: string;
  /**
   * The dedicated CA of that client certificate (not the cluster CA, which signs every user's
   * certificate): the webhook service's SVCTOKENS_CLIENT_CA_FILE. The key lets tests issue
   * certificates with other names from it.
   */
  webhookClientCaCertFile: string;
  webhookClientCaKeyFile: string;
  kubernetesVersion: string;
  logsDir: string;
  /** kube-apiserver's audit log (JSON lines): requests by Service Users, at Metadata level. */
  auditLogPath: string;
}

/** A user of the control plane: the certificate's CN is the name, its O entries the groups. */
export interface LocalUser {
  name: string;
  groups: string[];
}

/** Issues a client certificate for `user`, writes its kubeconfig, and returns the path. */
export async function writeUserKubeconfig(
  info: ControlPlaneInfo,
  user: LocalUser,
  path = join(info.dir, `user-${user.name.replace(/[^a-zA-Z0-9_.-]/g, "_")}.kubeconfig`),
): Promise<string> {
  const ca = await loadCertificateAuthorityFiles(info.caCertFile, info.caKeyFile);
  const cert = await ca.issue({
    usage: "client",
    commonName: user.name,
    organizations: user.groups,
  });
  await writeFile(
    path,
    kubeconfigYaml(info.server, ca.certPem, user.name, {
      clientCertPem: cert.certPem,
      clientKeyPem: cert.keyPem,
    }),
    { mode: 0o600 },
  );
  return path;
}
