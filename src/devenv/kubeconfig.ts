// Kubeconfig files for the local control plane's identities.
import { stringify } from "yaml";

/** How a kubeconfig's user authenticates: a client certificate, a bearer token, or nothing. */
export type KubeconfigCredentials =
  { clientCertPem: string; clientKeyPem: string } | { token: string } | Record<string, never>;

const b64 = (pem: string): string => Buffer.from(pem).toString("base64");

/** A single-context kubeconfig with the CA and credentials embedded. */
export function kubeconfigYaml(
  server: string,
  caPem: string,
  userName: string,
  credentials: KubeconfigCredentials,
): string {
  const user: Record<string, string> = {};
  if ("clientCertPem" in credentials) {
    user["client-certificate-data"] = b64(credentials.clientCertPem);
    user["client-key-data"] = b64(credentials.clientKeyPem);
  } else if ("token" in credentials) {
    user.token = credentials.token;
  }
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      { name: "svctokens-local", cluster: { server, "certificate-authority-data": b64(caPem) } },
    ],
    users: [{ name: userName, user }],
    contexts: [{ name: userName, context: { cluster: "svctokens-local", user: userName } }],
    "current-context": userName,
  });
}
