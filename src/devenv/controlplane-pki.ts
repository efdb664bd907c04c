// The local control plane's certificates and key files: the cluster CA, kube-apiserver's serving
// certificate, the service-account signing key, the admin's and the webhook client's certificates.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  createCertificateAuthority,
  createSigningKeyPair,
  loadCertificateAuthorityFiles,
  type CertificateAuthority,
} from "../tls/pki.ts";
import type { ControlPlaneInfo } from "./identities.ts";

/** The CA files a second control plane may reuse. */
export type SharedPki = Pick<
  ControlPlaneInfo,
  "caCertFile" | "caKeyFile" | "webhookClientCaCertFile" | "webhookClientCaKeyFile"
>;

export interface PkiFiles {
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  saPublic: string;
  saPrivate: string;
  tokenWebhookKubeconfig: string;
  clientCaCert: string;
  clientCaKey: string;
  admissionKubeconfig: string;
  admissionConfig: string;
  admin: { certPem: string; keyPem: string };
  webhookClient: { certPem: string; keyPem: string };
}

/** The name kube-apiserver's client certificate carries, and the webhook service pins. */
export const WEBHOOK_CLIENT_NAME = "kube-apiserver";

/** A CA loaded from the shared files, or a new one. */
export async function authority(
  shared: SharedPki | undefined,
  certKey: "caCertFile" | "webhookClientCaCertFile",
  keyKey: "caKeyFile" | "webhookClientCaKeyFile",
  commonName: string,
): Promise<CertificateAuthority> {
  if (shared === undefined) return createCertificateAuthority(commonName);
  return loadCertificateAuthorityFiles(shared[certKey], shared[keyKey]);
}

export async function writePki(
  dir: string,
  ca: CertificateAuthority,
  clientCa: CertificateAuthority,
): Promise<PkiFiles> {
  const pki = join(dir, "pki");
  await mkdir(pki, { recursive: true, mode: 0o700 });
  const serving = await ca.issue({
    usage: "server",
    commonName: "kube-apiserver",
    ipAddresses: ["127.0.0.1"],
    dnsNames: ["localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"],
  });
  const serviceAccount = await createSigningKeyPair();
  const files: PkiFiles = {
    caCert: join(pki, "ca.crt"),
    caKey: join(pki, "ca.key"),
    servingCert: join(pki, "apiserver.crt"),
    servingKey: join(pki, "apiserver.key"),
    saPublic: join(pki, "sa.pub"),
    saPrivate: join(pki, "sa.key"),
    tokenWebhookKubeconfig: join(dir, "token-webhook.kubeconfig"),
    clientCaCert: join(pki, "webhook-client-ca.crt"),
    clientCaKey: join(pki, "webhook-client-ca.key"),
    admissionKubeconfig: join(dir, "admission-webhooks.kubeconfig"),
    admissionConfig: join(dir, "admission-configuration.yaml"),
    admin: await ca.issue({
      usage: "client",
      commonName: "admin",
      organizations: ["system:masters"],
    }),
    // kube-apiserver presents this to the webhook service, which requires it.
    webhookClient: await clientCa.issue({ usage: "client", commonName: WEBHOOK_CLIENT_NAME }),
  };
  await Promise.all([
    writeFile(files.caCert, ca.certPem),
    writeFile(files.caKey, ca.keyPem, { mode: 0o600 }),
    writeFile(files.clientCaCert, clientCa.certPem),
    writeFile(files.clientCaKey, clientCa.keyPem, { mode: 0o600 }),
    writeFile(files.servingCert, serving.certPem),
    writeFile(files.servingKey, serving.keyPem, { mode: 0o600 }),
    writeFile(files.saPublic, serviceAccount.publicPem),
    writeFile(files.saPrivate, serviceAccount.privatePem, { mode: 0o600 }),
  ]);
  return files;
}
