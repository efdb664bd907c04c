// How kube-apiserver presents its client certificate to admission webhooks: an
// AdmissionConfiguration whose ValidatingAdmissionWebhook plugin names a kubeconfig, whose
// `users[].name` is the webhook's host:port. Only users, no current-context: any other webhook
// (none matches the name) gets no certificate.
import { stringify } from "yaml";
import type { KeyPairPem } from "../tls/pki.ts";

const b64 = (pem: string): string => Buffer.from(pem).toString("base64");

/** The kubeconfig kube-apiserver reads credentials for admission webhooks from. */
export function admissionKubeconfigYaml(hostPort: string, client: KeyPairPem): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    users: [
      {
        name: hostPort,
        user: {
          "client-certificate-data": b64(client.certPem),
          "client-key-data": b64(client.keyPem),
        },
      },
    ],
  });
}

/** `--admission-control-config-file`: the webhook plugins read `kubeconfig`. */
export function admissionConfigurationYaml(kubeconfig: string): string {
  const plugin = (name: string): object => ({
    name,
    configuration: {
      apiVersion: "apiserver.config.k8s.io/v1",
      kind: "WebhookAdmissionConfiguration",
      kubeConfigFile: kubeconfig,
    },
  });
  return stringify({
    apiVersion: "apiserver.config.k8s.io/v1",
    kind: "AdmissionConfiguration",
    plugins: [plugin("ValidatingAdmissionWebhook"), plugin("MutatingAdmissionWebhook")],
  });
}
