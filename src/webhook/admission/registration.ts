// The ValidatingWebhookConfiguration that sends our requests to /validate: ServiceUsers and
// ServiceTokens, and the Secrets that are the controller's by label or by type. Rendered, not
// hand-written, so the local control plane and the cluster manifests cannot drift apart.
import {
  API_GROUP,
  API_VERSION,
  DELIVERY_SECRET_TYPE,
  HASH_RECORD_SECRET_TYPE,
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

/** CEL: whether the Secret `v` (`object` or `oldObject`, null when absent) is svctokens'. */
function isOperatorSecret(v: string): string {
  const types = [HASH_RECORD_SECRET_TYPE, DELIVERY_SECRET_TYPE].map((t) => `'${t}'`).join(", ");
  const key = `'${MANAGED_BY_LABEL_KEY}'`;
  return (
    `(${v} != null && ((has(${v}.type) && ${v}.type in [${types}]) || ` +
    `(has(${v}.metadata.labels) && ${key} in ${v}.metadata.labels && ` +
    `${v}.metadata.labels[${key}] == '${MANAGED_BY_LABEL_VALUE}')))`
  );
}

/**
 * Sends kube-apiserver's requests on a Secret to /validate only when the old or the new object
 * carries the controller's label or one of its two types (an objectSelector cannot match a
 * type, and a planted Secret need not carry the label). Every other Secret never reaches us.
 */
export const OPERATOR_SECRET_MATCH_CONDITION = {
  name: "svctokens-secrets",
  expression: `${isOperatorSecret("object")} || ${isOperatorSecret("oldObject")}`,
};

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
        matchConditions: [OPERATOR_SECRET_MATCH_CONDITION],
      },
    ],
  };
}

/** Short: the mutation is only an optimisation, and a create must not wait on it. */
export const MUTATION_TIMEOUT_SECONDS = 2;

/**
 * The MutatingWebhookConfiguration (same name as the validating one) that sends ServiceToken
 * CREATEs to /mutate: the controller's finalizer and the ServiceUser owner reference are set at
 * creation (record 64). failurePolicy Ignore: without the webhook the controller adds them.
 * reinvocationPolicy Never: nothing another mutating webhook adds changes what we add.
 */
export function mutatingWebhookConfiguration(options: RegistrationOptions): KubeObject {
  const clientConfig = {
    ...("url" in options.endpoint
      ? { url: `${options.endpoint.url.replace(/\/$/, "")}/mutate` }
      : { service: { ...options.endpoint.service, path: "/mutate" } }),
    caBundle: Buffer.from(options.caPem).toString("base64"),
  };
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "MutatingWebhookConfiguration",
    metadata: {
      name: options.name ?? VALIDATING_WEBHOOK_CONFIGURATION_NAME,
      labels: { [MANAGED_BY_LABEL_KEY]: MANAGED_BY_LABEL_VALUE },
    },
    webhooks: [
      {
        name: `tokens.${API_GROUP}`,
        clientConfig,
        admissionReviewVersions: ["v1"],
        sideEffects: "None",
        failurePolicy: "Ignore",
        matchPolicy: "Equivalent",
        reinvocationPolicy: "Never",
        timeoutSeconds: MUTATION_TIMEOUT_SECONDS,
        rules: [
          {
            apiGroups: [API_GROUP],
            apiVersions: [API_VERSION],
            resources: [SERVICE_TOKEN_PLURAL],
            operations: ["CREATE"],
            scope: "Namespaced",
          },
        ],
      },
    ],
  };
}

/** For the local control plane: kube-apiserver calls https://127.0.0.1:<port>/validate. */
export function localValidatingWebhookConfiguration(port: number, caPem: string): KubeObject {
  return validatingWebhookConfiguration({ endpoint: { url: `https://127.0.0.1:${port}` }, caPem });
}
