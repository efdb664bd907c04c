import { describe, expect, it } from "vitest";
import {
  localValidatingWebhookConfiguration,
  mutatingWebhookConfiguration,
  OPERATOR_SECRET_MATCH_CONDITION,
  validatingWebhookConfiguration,
} from "../../../../src/webhook/admission/registration.ts";

const CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

describe("validatingWebhookConfiguration", () => {
  it("points the local control plane at 127.0.0.1 with the CA bundle, failing closed", () => {
    const config = localValidatingWebhookConfiguration(8443, CA);
    const webhooks = config.webhooks as Record<string, unknown>[];
    expect(config).toMatchObject({
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingWebhookConfiguration",
      metadata: { name: "svctokens" },
    });
    for (const webhook of webhooks) {
      expect(webhook).toMatchObject({
        clientConfig: {
          url: "https://127.0.0.1:8443/validate",
          caBundle: Buffer.from(CA).toString("base64"),
        },
        admissionReviewVersions: ["v1"],
        sideEffects: "None",
        failurePolicy: "Fail",
        timeoutSeconds: 5,
      });
    }
  });

  it("matches only our kinds, and only Secrets that are ours by label or by type", () => {
    const [resources, secrets] = validatingWebhookConfiguration({
      endpoint: {
        service: { namespace: "svctokens-system", name: "svctokens-webhook", port: 443 },
      },
      caPem: CA,
    }).webhooks as Record<string, unknown>[];
    expect(resources).toMatchObject({
      name: "resources.svctokens.dev",
      clientConfig: {
        service: {
          namespace: "svctokens-system",
          name: "svctokens-webhook",
          port: 443,
          path: "/validate",
        },
      },
      rules: [
        {
          apiGroups: ["svctokens.dev"],
          apiVersions: ["v1alpha1"],
          resources: ["serviceusers", "servicetokens"],
          operations: ["CREATE", "UPDATE", "DELETE"],
        },
      ],
    });
    expect(resources).not.toHaveProperty("objectSelector");
    expect(secrets).toMatchObject({
      name: "secrets.svctokens.dev",
      rules: [
        { apiGroups: [""], resources: ["secrets"], operations: ["CREATE", "UPDATE", "DELETE"] },
      ],
      matchConditions: [OPERATOR_SECRET_MATCH_CONDITION],
    });
    // A planted Secret need not carry the label: the type is matched too (no objectSelector).
    expect(secrets).not.toHaveProperty("objectSelector");
    const { expression } = OPERATOR_SECRET_MATCH_CONDITION;
    for (const version of ["object", "oldObject"]) {
      expect(expression).toContain(`${version} != null`);
      expect(expression).toContain(`${version}.type in ['svctokens.dev/token-hash', `);
      expect(expression).toContain(
        `${version}.metadata.labels['app.kubernetes.io/managed-by'] == 'svctokens'`,
      );
    }
  });
});

describe("mutatingWebhookConfiguration", () => {
  it("sends only ServiceToken CREATEs to /mutate, ignoring failures, with a short timeout", () => {
    const config = mutatingWebhookConfiguration({
      endpoint: { url: "https://127.0.0.1:8443/" },
      caPem: CA,
    });
    expect(config).toMatchObject({
      kind: "MutatingWebhookConfiguration",
      metadata: { name: "svctokens" },
      webhooks: [
        {
          name: "tokens.svctokens.dev",
          clientConfig: {
            url: "https://127.0.0.1:8443/mutate",
            caBundle: Buffer.from(CA).toString("base64"),
          },
          sideEffects: "None",
          failurePolicy: "Ignore",
          reinvocationPolicy: "Never",
          timeoutSeconds: 2,
          rules: [
            {
              apiGroups: ["svctokens.dev"],
              resources: ["servicetokens"],
              operations: ["CREATE"],
            },
          ],
        },
      ],
    });
  });
});
