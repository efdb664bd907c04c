// The ValidatingWebhookConfiguration that sends our requests to /validate: ServiceUsers and
// ServiceTokens, and the Secrets the controller labels as its own. Rendered, not hand-written,
// so the local control plane and the cluster manifests cannot drift apart.
import {
  API_GROUP,
  API_VERSION,
  SERVICE_TOKEN_PLURAL,
  SERVICE_USER_PLURAL,
} from "../../api/index.ts";
import type { KubeObject } from "../../k8s/object.ts";
import { MANAGED_BY_LABEL_KEY, MANAGED_BY_LABEL_VALUE } from "../../api/index.ts";

/** Name of the configuration object. */
export const VALIDATING_WEBHOOK_CONFIGURATION_NAME = "svctokens";
/** Short: kubectl waits on it, and the answer is computed from memory. */
export const ADMISSION_TIMEOUT_SECONDS = 5;

/** Where kube-apiserver reaches /validate: a URL (local control plane) or a Service. */
export type WebhookEndpoint =
  { url: string } | { service: { namespace: string; name: string; port?: number } };

/** How to render the configuration. */
export interface RegistrationOptions {
  endpoint: WebhookEndpoint;
  /** PEM of the CA that signed the webhook's serving certificate. */
  caPem: string;
  name?: string;
}

const OPERATIONS = ["CREATE", "UPDATE", "DELETE"];

/** The ValidatingWebhookConfiguration for `options`. */
export function validatingWebhookConfiguration(options: RegistrationOptions): KubeObject {
  const clientConfig = {
    ...("url" in options.endpoint
      ? { url: `${options.endpoint.url.replace(/\/$/, "")}/validate` }
      : { service: { ...options.endpoint.service, path: "/validate" } }),
    caBundle: Buffer.from(options.caPem).toString("base64"),
  };
  const common = {
    clientConfig,
    admissionReviewVersions: ["v1"],
    sideEffects: "None",
    // Fail closed: with the webhook down, nobody bypasses the rules.
    failurePolicy: "Fail",
    matchPolicy: "Equivalent",
    timeoutSeconds: ADMISSION_TIMEOUT_SECONDS,
  };
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingWebhookConfiguration",
    metadata: {
      name: options.name ?? VALIDATING_WEBHOOK_CONFIGURATION_NAME,
      labels: { [MANAGED_BY_LABEL_KEY]: MANAGED_BY_LABEL_VALUE },
    },
    webhooks: [
      {
        name: `resources.${API_GROUP}`,
        ...common,
        rules: [
          {
            apiGroups: [API_GROUP],
            apiVersions: [API_VERSION],
            resources: [SERVICE_USER_PLURAL, SERVICE_TOKEN_PLURAL],
            operations: OPERATIONS,
            scope: "*",
          },
        ],
      },
      {
        name: `secrets.${API_GROUP}`,
        ...common,
        rules: [
          {
            apiGroups: [""],
            apiVersions: ["v1"],
            resources: ["secrets"],
            operations: OPERATIONS,
            scope: "Namespaced",
          },
        ],
        // Only the controller's Secrets (for an update: if the old or the new object matches).
        objectSelector: { matchLabels: { [MANAGED_BY_LABEL_KEY]: MANAGED_BY_LABEL_VALUE } },
      },
    ],
  };
}

/** For the local control plane: kube-apiserver calls https://127.0.0.1:<port>/validate. */
export function localValidatingWebhookConfiguration(port: number, caPem: string): KubeObject {
  return validatingWebhookConfiguration({ endpoint: { url: `https://127.0.0.1:${port}` }, caPem });
}
