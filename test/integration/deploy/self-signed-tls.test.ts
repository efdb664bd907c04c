// The webhook's self-signed TLS mode, under the webhook's own identity and shipped RBAC: one
// shared Secret for all replicas, the CA put into the Validating- and MutatingWebhookConfiguration,
// renewal.
import { X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployPath } from "../../../src/devenv/kubectl.ts";
import { KubeRest } from "../../../src/k8s/rest.ts";
import { certificateNotAfter } from "../../../src/tls/pki.ts";
import {
  ensureSelfSignedTls,
  type SelfSignedTlsOptions,
} from "../../../src/tls/self-signed-tls.ts";
import { controlPlane, kubeConfigFrom } from "../support/cluster.ts";
import { kubectl } from "../support/kubectl.ts";
import { OPERATOR_NAMESPACE, installOperatorRbac, webhookKubeconfig } from "../support/operator.ts";
import { Api, secretValue } from "../support/resources.ts";

const CONFIGURATION = "svctokens";
const SECRET = "svctokens-webhook-tls";
const SERVICE_HOST = "svctokens-webhook.svctokens-system.svc";
const configurationPath = `/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/${CONFIGURATION}`;
const mutatingPath = `/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/${CONFIGURATION}`;

describe("webhook self-signed TLS mode", () => {
  const admin = new Api();
  let dir: string;
  let options: SelfSignedTlsOptions;

  beforeAll(async () => {
    await installOperatorRbac();
    for (const file of ["webhook-rbac.yaml", "webhook-tls-rbac.yaml"]) {
      const result = await kubectl(controlPlane().adminKubeconfig, [
        "apply",
        "-f",
        deployPath(`manifests/${file}`),
      ]);
      expect(result.stderr).toBe("");
    }
    // Registrations under the shipped name that match nothing, so no other test is judged.
    const matchingNothing = {
      metadata: { name: CONFIGURATION },
      webhooks: [
        {
          name: "nothing.svctokens.dev",
          clientConfig: {
            service: {
              namespace: OPERATOR_NAMESPACE,
              name: "svctokens-webhook",
              path: "/validate",
            },
          },
          rules: [
            {
              apiGroups: ["tls-test.svctokens.dev"],
              apiVersions: ["v1"],
              operations: ["CREATE"],
              resources: ["nothings"],
            },
          ],
          sideEffects: "None",
          admissionReviewVersions: ["v1"],
        },
      ],
    };
    for (const path of [configurationPath, mutatingPath]) {
      await admin.rest.request("POST", path.slice(0, path.lastIndexOf("/")), matchingNothing);
    }
    dir = await mkdtemp(join(tmpdir(), "svctokens-tls-"));
    options = {
      rest: new KubeRest(kubeConfigFrom(await webhookKubeconfig())),
      namespace: OPERATOR_NAMESPACE,
      secretName: SECRET,
      serviceName: "svctokens-webhook",
      webhookConfigurationName: CONFIGURATION,
      dir,
      log: pino({ level: "silent" }),
    };
  });

  afterAll(async () => {
    // The TLS bootstrap rights are not part of the webhook's base RBAC other tests expect.
    await kubectl(controlPlane().adminKubeconfig, [
      "delete",
      "--ignore-not-found",
      "-f",
      deployPath("manifests/webhook-tls-rbac.yaml"),
    ]);
    await admin.delete(configurationPath);
    await admin.delete(mutatingPath);
    await admin.delete(`/api/v1/namespaces/${OPERATOR_NAMESPACE}/secrets/${SECRET}`);
    options.rest.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("creates a CA and serving certificate, writes them, and trusts the CA in admission", async () => {
    const files = await ensureSelfSignedTls(options);
    const secret = await admin.secret(OPERATOR_NAMESPACE, SECRET);
    expect(secret?.type).toBe("kubernetes.io/tls");
    const caPem = secretValue(secret, "ca.crt") ?? "";
    const certPem = await readFile(files.certFile, "utf8");
    expect(certPem).toBe(secretValue(secret, "tls.crt"));
    expect(await readFile(files.keyFile, "utf8")).toBe(secretValue(secret, "tls.key"));

    const cert = new X509Certificate(certPem);
    expect(cert.checkHost(SERVICE_HOST)).toBe(SERVICE_HOST);
    expect(cert.verify(new X509Certificate(caPem).publicKey)).toBe(true);

    for (const path of [configurationPath, mutatingPath]) {
      const configuration = await admin.rest.request<{
        webhooks: { clientConfig: { caBundle?: string } }[];
      }>("GET", path);
      expect(configuration.webhooks[0]?.clientConfig.caBundle, path).toBe(
        Buffer.from(caPem).toString("base64"),
      );
    }
  });

  it("lets a second replica reuse the same certificate", async () => {
    const before = secretValue(await admin.secret(OPERATOR_NAMESPACE, SECRET), "tls.crt");
    const files = await ensureSelfSignedTls({ ...options, dir: join(dir, "replica-2") });
    expect(await readFile(files.certFile, "utf8")).toBe(before);
  });

  it("renews the serving certificate before it expires, keeping the CA", async () => {
    const secret = await admin.secret(OPERATOR_NAMESPACE, SECRET);
    const oldCert = secretValue(secret, "tls.crt") ?? "";
    const nearExpiry = new Date(certificateNotAfter(oldCert).getTime() - 10 * 24 * 60 * 60 * 1000);
    const files = await ensureSelfSignedTls({ ...options, now: () => nearExpiry });
    const renewed = await admin.secret(OPERATOR_NAMESPACE, SECRET);
    expect(secretValue(renewed, "tls.crt")).not.toBe(oldCert);
    expect(secretValue(renewed, "ca.crt")).toBe(secretValue(secret, "ca.crt"));
    expect(await readFile(files.certFile, "utf8")).toBe(secretValue(renewed, "tls.crt"));
  });

  it("rotates the CA before it expires and trusts old and new CA meanwhile", async () => {
    const secret = await admin.secret(OPERATOR_NAMESPACE, SECRET);
    const oldCa = secretValue(secret, "ca.crt") ?? "";
    const nearCaExpiry = new Date(certificateNotAfter(oldCa).getTime() - 10 * 24 * 60 * 60 * 1000);
    await ensureSelfSignedTls({ ...options, now: () => nearCaExpiry });
    const rotated = await admin.secret(OPERATOR_NAMESPACE, SECRET);
    const newCa = secretValue(rotated, "ca.crt") ?? "";
    expect(newCa).not.toBe(oldCa);
    expect(secretValue(rotated, "ca-previous.crt")).toBe(oldCa);
    const configuration = await admin.rest.request<{
      webhooks: { clientConfig: { caBundle?: string } }[];
    }>("GET", configurationPath);
    const bundle = Buffer.from(
      configuration.webhooks[0]?.clientConfig.caBundle ?? "",
      "base64",
    ).toString();
    expect(bundle).toContain(newCa.trim());
    expect(bundle).toContain(oldCa.trim());
  });
});
