// deploy/manifests (the kustomize base) rendered by the machine's kubectl and checked for what a
// production install needs. deploy/overlays.test.ts covers the overlays and the server dry run.
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import type {
  V1ClusterRole,
  V1ClusterRoleBinding,
  V1Deployment,
  V1PodDisruptionBudget,
  V1Role,
  V1Service,
} from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../../../src/k8s/object.ts";
import {
  mutatingWebhookConfiguration,
  validatingWebhookConfiguration,
} from "../../../src/webhook/admission/registration.ts";
import { OPERATOR_NAMESPACE } from "../support/operator.ts";
import {
  deployPath,
  describeObject,
  find,
  ofKind,
  parseObjects,
  render,
} from "./deploy-support.ts";

import {
  BASE_OBJECTS,
  containersOf,
  envOf,
  IMAGE,
  TLS_BOOTSTRAP,
  webhookContainer,
} from "./expected-objects.ts";

let base: KubeObject[];

beforeAll(async () => {
  base = await render(deployPath("manifests"));
});

describe("deploy/manifests renders", () => {
  it("exactly the objects an install needs", () => {
    expect(base.map(describeObject).sort()).toEqual([...BASE_OBJECTS].sort());
  });

  it("the CRDs as generated in deploy/crds", () => {
    const generated = readdirSync(deployPath("crds"))
      .filter((file) => file.endsWith(".yaml"))
      .flatMap((file) => parseObjects(readFileSync(join(deployPath("crds"), file), "utf8")));
    expect(generated).toHaveLength(2);
    for (const crd of generated) {
      expect(find(base, "CustomResourceDefinition", crd.metadata?.name ?? "")).toEqual(crd);
    }
  });

  it("Deployments: 2 replicas, the image, in-cluster credentials, downward-API identity", () => {
    const deployments = ofKind<V1Deployment>(base, "Deployment");
    expect(deployments).toHaveLength(2);
    for (const deployment of deployments) {
      expect(deployment.spec?.replicas, deployment.metadata?.name).toBe(2);
      const pod = deployment.spec?.template.spec;
      expect(pod?.automountServiceAccountToken).toBe(true);
      expect(pod?.terminationGracePeriodSeconds).toBeGreaterThan(0);
      expect(pod?.topologySpreadConstraints?.length).toBeGreaterThan(0);
      for (const container of containersOf(deployment)) {
        expect(container.image).toBe(IMAGE);
        expect(envOf(container, "SVCTOKENS_NAMESPACE")).toMatchObject({
          valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } },
        });
        expect(envOf(container, "SVCTOKENS_POD_NAME")).toMatchObject({
          valueFrom: { fieldRef: { fieldPath: "metadata.name" } },
        });
      }
    }
    const controller = find<V1Deployment>(base, "Deployment", "svctokens-controller");
    expect(containersOf(controller)[0]?.command).toEqual([
      "node",
      "--expose-gc",
      "dist/controller/main.js",
    ]);
    // glibc reads them at start: one arena, large blocks mapped on their own (record 88).
    const controllerContainer = containersOf(controller)[0] ?? { name: "" };
    expect(envOf(controllerContainer, "MALLOC_ARENA_MAX")).toMatchObject({ value: "1" });
    expect(envOf(controllerContainer, "MALLOC_MMAP_THRESHOLD_")).toMatchObject({ value: "131072" });
    expect(controller.spec?.template.spec?.serviceAccountName).toBe("svctokens-controller");
    const webhook = find<V1Deployment>(base, "Deployment", "svctokens-webhook");
    expect(containersOf(webhook)[0]?.command).toEqual([
      "node",
      "--expose-gc",
      "dist/webhook/main.js",
    ]);
    expect(webhook.spec?.template.spec?.serviceAccountName).toBe("svctokens-webhook");
  });

  it("every container: restricted security context, requests and limits, probes", () => {
    for (const deployment of ofKind<V1Deployment>(base, "Deployment")) {
      for (const container of containersOf(deployment)) {
        const where = `${deployment.metadata?.name}/${container.name}`;
        expect(container.securityContext, where).toMatchObject({
          runAsNonRoot: true,
          runAsUser: 1000,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ["ALL"] },
          seccompProfile: { type: "RuntimeDefault" },
        });
        expect(container.securityContext?.privileged, where).not.toBe(true);
        expect(Object.keys(container.resources?.requests ?? {}).sort(), where).toEqual([
          "cpu",
          "ephemeral-storage",
          "memory",
        ]);
        expect(container.resources?.limits?.memory, where).toMatch(/^\d+(Mi|Gi)$/);
        expect(container.resources?.limits?.["ephemeral-storage"], where).toMatch(/^\d+(Mi|Gi)$/);
        expect(container.livenessProbe?.httpGet?.path, where).toBe("/healthz");
        expect(container.readinessProbe?.httpGet?.path, where).toBe("/readyz");
      }
    }
  });

  it("controller: metrics and probes on 8080, behind a metrics Service", () => {
    const controller = containersOf(
      find<V1Deployment>(base, "Deployment", "svctokens-controller"),
    )[0];
    expect(controller?.ports).toEqual([{ name: "metrics", containerPort: 8080, protocol: "TCP" }]);
    const service = find<V1Service>(base, "Service", "svctokens-controller-metrics");
    expect(service.spec?.ports).toEqual([
      { name: "metrics", port: 8080, targetPort: "metrics", protocol: "TCP" },
    ]);
  });

  it("webhook: HTTPS on 8443 behind Service port 443, self-signed TLS, the controller's name", () => {
    const webhook = webhookContainer(base);
    expect(webhook?.ports).toEqual([
      { name: "https", containerPort: 8443, protocol: "TCP" },
      { name: "metrics", containerPort: 8080, protocol: "TCP" },
    ]);
    // Probes and metrics on their own plain-HTTP port, never the HTTPS one.
    expect(webhook?.livenessProbe?.httpGet).toMatchObject({ port: "metrics" });
    expect(webhook?.readinessProbe?.httpGet).toMatchObject({ port: "metrics" });
    expect(webhook?.livenessProbe?.httpGet?.scheme ?? "HTTP").toBe("HTTP");
    expect(envOf(webhook ?? { name: "" }, "SVCTOKENS_TLS_MODE")).toMatchObject({
      value: "self-signed",
    });
    expect(envOf(webhook ?? { name: "" }, "SVCTOKENS_CONTROLLER_USERNAME")).toMatchObject({
      value: `system:serviceaccount:${OPERATOR_NAMESPACE}:svctokens-controller`,
    });
    const service = find<V1Service>(base, "Service", "svctokens-webhook");
    expect(service.spec?.ports).toEqual([
      { name: "https", port: 443, targetPort: "https", protocol: "TCP" },
    ]);
    const metrics = find<V1Service>(base, "Service", "svctokens-webhook-metrics");
    expect(metrics.spec?.ports).toEqual([
      { name: "metrics", port: 8080, targetPort: "metrics", protocol: "TCP" },
    ]);
  });

  it("webhook: only kube-apiserver's pinned client certificate, from a CA of its own", () => {
    const webhook = webhookContainer(base) ?? { name: "" };
    expect(envOf(webhook, "SVCTOKENS_CLIENT_CA_FILE")).toMatchObject({
      value: "/etc/svctokens/client-ca/ca.crt",
    });
    expect(envOf(webhook, "SVCTOKENS_CLIENT_NAMES")).toMatchObject({ value: "kube-apiserver" });
    expect(webhook.volumeMounts).toContainEqual({
      name: "client-ca",
      mountPath: "/etc/svctokens/client-ca",
      readOnly: true,
    });
    const deployment = find<V1Deployment>(base, "Deployment", "svctokens-webhook");
    const volume = deployment.spec?.template.spec?.volumes?.find((v) => v.name === "client-ca");
    expect(volume?.configMap?.name).toBe("svctokens-webhook-client-ca");
    expect(volume?.configMap?.optional).not.toBe(true);
  });

  it("webhook NetworkPolicy: HTTPS from anywhere, metrics only from labelled namespaces", () => {
    const policy = find<KubeObject>(base, "NetworkPolicy", "svctokens-webhook");
    expect((policy.spec as { ingress: unknown }).ingress).toEqual([
      { ports: [{ port: 8443, protocol: "TCP" }] },
      {
        from: [{ namespaceSelector: { matchLabels: { "svctokens.dev/metrics-access": "true" } } }],
        ports: [{ port: 8080, protocol: "TCP" }],
      },
    ]);
  });

  it("a PodDisruptionBudget (minAvailable 1) selecting each Deployment's pods", () => {
    for (const deployment of ofKind<V1Deployment>(base, "Deployment")) {
      const name = deployment.metadata?.name ?? "";
      const budget = find<V1PodDisruptionBudget>(base, "PodDisruptionBudget", name);
      expect(budget.spec?.minAvailable, name).toBe(1);
      expect(budget.spec?.selector).toEqual(deployment.spec?.selector);
      expect(deployment.spec?.template.metadata?.labels).toMatchObject(
        deployment.spec?.selector.matchLabels ?? { missing: "selector" },
      );
    }
  });

  it.each([
    ["ValidatingWebhookConfiguration", validatingWebhookConfiguration, "Fail"],
    ["MutatingWebhookConfiguration", mutatingWebhookConfiguration, "Ignore"],
  ] as const)("the %s that src/webhook/registration.ts renders", (kind, render, failure) => {
    const shipped = find<KubeObject>(base, kind, "svctokens");
    const rendered = render({
      endpoint: {
        service: { namespace: OPERATOR_NAMESPACE, name: "svctokens-webhook", port: 443 },
      },
      caPem: "",
    });
    // The webhook (or cert-manager) fills in caBundle; the labels are the installer's.
    const withoutCaBundle = (webhooks: unknown): unknown =>
      (webhooks as { clientConfig: { caBundle?: string } }[]).map(
        ({ clientConfig: { caBundle: _caBundle, ...clientConfig }, ...webhook }) => ({
          ...webhook,
          clientConfig,
        }),
      );
    expect(shipped.webhooks).toEqual(withoutCaBundle(rendered.webhooks));
    for (const webhook of shipped.webhooks as Record<string, unknown>[]) {
      expect(webhook).toMatchObject({ failurePolicy: failure, sideEffects: "None" });
    }
  });

  it("least privilege: the webhook reads Secrets only in its namespace, creates TLS only", () => {
    const webhookSubject = { kind: "ServiceAccount", name: "svctokens-webhook" };
    const webhookClusterRoles = ofKind<V1ClusterRoleBinding>(base, "ClusterRoleBinding")
      .filter((binding) => binding.subjects?.some((s) => s.name === webhookSubject.name))
      .map((binding) => find<V1ClusterRole>(base, "ClusterRole", binding.roleRef.name));
    expect(webhookClusterRoles.map((role) => role.metadata?.name).sort()).toEqual([
      "svctokens:webhook",
      TLS_BOOTSTRAP,
    ]);
    for (const role of webhookClusterRoles) {
      for (const rule of role.rules ?? []) expect(rule.resources).not.toContain("secrets");
    }
    const vwcRule = find<V1ClusterRole>(base, "ClusterRole", TLS_BOOTSTRAP).rules?.[0];
    expect(vwcRule).toMatchObject({
      resources: ["validatingwebhookconfigurations", "mutatingwebhookconfigurations"],
      resourceNames: ["svctokens"],
      verbs: ["get", "patch"],
    });
    expect(find<V1Role>(base, "Role", TLS_BOOTSTRAP).rules).toEqual([
      {
        apiGroups: [""],
        resources: ["secrets"],
        resourceNames: ["svctokens-webhook-tls"],
        verbs: ["get", "update"],
      },
      { apiGroups: [""], resources: ["secrets"], verbs: ["create"] },
    ]);
  });

  it("with any image a user names in an overlay's `images:`", async () => {
    const dir = await mkdtemp(join(tmpdir(), "svctokens-images-"));
    try {
      await writeFile(
        join(dir, "kustomization.yaml"),
        [
          "resources:",
          `  - ${relative(dir, deployPath("manifests"))}`,
          "images:",
          "  - name: ghcr.io/svctokens/svctokens",
          "    newName: registry.example.com/platform/svctokens",
          "    newTag: 9.9.9",
          "",
        ].join("\n"),
      );
      const images = ofKind<V1Deployment>(await render(dir), "Deployment")
        .flatMap(containersOf)
        .map((container) => container.image);
      expect(images).toEqual([
        "registry.example.com/platform/svctokens:9.9.9",
        "registry.example.com/platform/svctokens:9.9.9",
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
