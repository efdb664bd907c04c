// deploy/manifests (the kustomize base) and every overlay: rendered by the machine's kubectl,
// checked for what a production install needs, and admitted by the real kube-apiserver in a
// server-side dry run (which validates every object and leaves nothing behind). The
// ValidatingWebhookConfiguration is never really created: it would judge other test files.
import type { V1Deployment } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../../../src/k8s/object.ts";
import { OPERATOR_NAMESPACE } from "../support/operator.ts";
import {
  adminKubectl,
  appliedName,
  deployPath,
  describeObject,
  find,
  overlayNames,
  prepareForDryRun,
  render,
} from "./deploy-support.ts";

import { CERT_MANAGER_OBJECTS, envOf, webhookContainer } from "./expected-objects.ts";

let undoPreparation: (() => Promise<void>) | undefined;

beforeAll(async () => {
  undoPreparation = await prepareForDryRun();
});

afterAll(async () => {
  await undoPreparation?.();
});

describe("deploy/overlays/cert-manager renders", () => {
  let objects: KubeObject[];
  beforeAll(async () => {
    objects = await render(deployPath("overlays/cert-manager"));
  });

  it("the base with an Issuer and Certificate instead of the TLS bootstrap RBAC", () => {
    expect(objects.map(describeObject).sort()).toEqual([...CERT_MANAGER_OBJECTS].sort());
    const certificate = find<KubeObject>(objects, "Certificate", "svctokens-webhook");
    const spec = certificate.spec as { dnsNames: string[]; issuerRef: unknown };
    expect(spec.dnsNames).toContain(`svctokens-webhook.${OPERATOR_NAMESPACE}.svc`);
    expect(spec.issuerRef).toEqual({ kind: "Issuer", name: "svctokens-selfsigned" });
  });

  it("the webhook serves the Certificate's Secret from files; cert-manager injects the CA", () => {
    const certificate = find<KubeObject>(objects, "Certificate", "svctokens-webhook");
    const secretName = (certificate.spec as { secretName: string }).secretName;
    const deployment = find<V1Deployment>(objects, "Deployment", "svctokens-webhook");
    const volume = deployment.spec?.template.spec?.volumes?.find((v) => v.name === "tls");
    expect(volume?.secret?.secretName).toBe(secretName);
    const webhook = webhookContainer(objects);
    expect(webhook?.volumeMounts).toContainEqual({
      name: "tls",
      mountPath: "/etc/svctokens/tls",
      readOnly: true,
    });
    expect(envOf(webhook ?? { name: "" }, "SVCTOKENS_TLS_MODE")).toEqual({
      name: "SVCTOKENS_TLS_MODE",
      value: "files",
    });
    for (const kind of ["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"]) {
      const configuration = find<KubeObject>(objects, kind, "svctokens");
      expect(configuration.metadata?.annotations?.["cert-manager.io/inject-ca-from"], kind).toBe(
        `${OPERATOR_NAMESPACE}/svctokens-webhook`,
      );
    }
  });
});

describe("kubectl apply --dry-run=server -k", () => {
  it("knows every overlay", () => {
    expect(overlayNames()).toEqual(["cert-manager"]);
  });

  it.each(["manifests", ...overlayNames().map((name) => `overlays/${name}`)])(
    "deploy/%s is admitted, every object of it, within restricted Pod Security",
    async (dir) => {
      const objects = await render(deployPath(dir));
      const result = await adminKubectl(["apply", "--dry-run=server", "-k", deployPath(dir)]);
      expect(result.code, result.stderr).toBe(0);
      // Deployments in a namespace that enforces restricted Pod Security are admitted with a
      // warning when their pods would be refused.
      expect(result.stderr).not.toMatch(/PodSecurity|would violate/);
      const admitted = result.stdout
        .split("\n")
        .filter((line) => line.endsWith(" (server dry run)"))
        .map((line) => line.split(" ")[0]);
      expect(admitted.sort()).toEqual(objects.map(appliedName).sort());
    },
  );
});
