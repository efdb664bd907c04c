// The Helm chart deploy/helm/svctokens: the same objects as kustomize renders, `helm lint
// --strict`, values.schema.json refusing bad values, what each toggle renders, and `helm
// template | kubectl apply --dry-run=server` against the real kube-apiserver (which validates
// every object and keeps nothing). The cert-manager objects are admitted against stand-in
// cert-manager CRDs (fixtures/), as for the kustomize overlay.
import { readFileSync } from "node:fs";
import type { V1ConfigMap, V1Deployment } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { KubeObject } from "../../../src/k8s/object.ts";
import {
  adminKubectl,
  appliedName,
  deployPath,
  describeObject,
  find,
  ofKind,
  prepareForDryRun,
  render,
} from "./deploy-support.ts";
import { CERT_MANAGER_OBJECTS, containersOf, envOf } from "./expected-objects.ts";
import {
  ALL_TOGGLES,
  CHART_DIR,
  type ChartValues,
  HELM_LABELS,
  helm,
  renderChart,
  renderChartYaml,
  withNamedListsSorted,
  withoutHelmLabels,
} from "./helm-support.ts";

const AUTHORIZER_CONFIGMAP = "ConfigMap svctokens-system/svctokens-apiserver-authorizer";
const CLIENT_CA_CONFIGMAP = "ConfigMap svctokens-system/svctokens-webhook-client-ca";

const byName = (objects: KubeObject[]): Map<string, KubeObject> =>
  new Map(objects.map((object) => [describeObject(object), object]));

// Every object compared whole (RBAC rules, containers, probes, security contexts, webhook
// configurations, Services, CRDs...) after removing only the labels Helm adds and sorting the
// lists Kubernetes keys by name (env, volumeMounts, volumes), so any other difference fails:
// change the chart with the base.
describe("the chart renders what kustomize renders", () => {
  it.each([
    ["deploy/manifests", "manifests", {}],
    ["deploy/overlays/cert-manager", "overlays/cert-manager", { tls: { mode: "certManager" } }],
  ])("%s", async (_name, dir: string, values: ChartValues) => {
    const kustomized = byName(await render(deployPath(dir)));
    const charted = byName(await renderChart(values));
    expect([...charted.keys()].sort()).toEqual([...kustomized.keys()].sort());
    for (const [name, object] of charted) {
      // Helm installs crds/ (deploy/crds) as they are, without labels.
      if (object.kind === "CustomResourceDefinition") {
        expect(object, name).toEqual(kustomized.get(name));
        continue;
      }
      for (const label of HELM_LABELS) {
        expect(object.metadata?.labels?.[label], `${name}: ${label}`).toEqual(expect.any(String));
      }
      const expected = kustomized.get(name);
      expect(withNamedListsSorted(withoutHelmLabels(object)), name).toEqual(
        expected && withNamedListsSorted(expected),
      );
    }
  });
});

describe("helm lint --strict", () => {
  it.each([
    ["the default values", {}],
    ["every toggle flipped (certManager, monitoring off, authorizer on, ...)", ALL_TOGGLES],
  ])("passes with %s", async (_name, values: ChartValues) => {
    const result = await helm(["lint", "--strict", CHART_DIR], values);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
  });
});

describe("values.schema.json refuses bad values with a message naming them", () => {
  it.each([
    [{ tls: { mode: "foo" } }, "at '/tls/mode': value must be one of 'selfSigned', 'certManager'"],
    [
      { settings: { maxTokenLifetimeDays: 400 } },
      "at '/settings/maxTokenLifetimeDays': maximum: got 400, want 365",
    ],
    [
      { controller: { replica: 3 } },
      "at '/controller': additional properties 'replica' not allowed",
    ],
    [{ settings: { clientNames: [] } }, "at '/settings/clientNames': minItems: got 0, want 1"],
    // The authorizer's kubeconfig needs the pinned address.
    [
      { authorizer: { enabled: true } },
      "at '/webhook/service/clusterIP': minLength: got 0, want 1",
    ],
  ])("%j", async (values: ChartValues, message: string) => {
    const result = await helm(["template", "svctokens", CHART_DIR], values);
    expect(result.code, result.stdout).not.toBe(0);
    expect(result.stderr).toContain("values don't meet the specifications of the schema");
    expect(result.stderr).toContain(message);
  });

  it("helm lint --strict fails on them too", async () => {
    const result = await helm(["lint", "--strict", CHART_DIR], { tls: { mode: "foo" } });
    expect(result.code).not.toBe(0);
    expect(result.stdout).toContain("at '/tls/mode': value must be one of");
  });
});

describe("every toggle flipped renders", () => {
  let objects: KubeObject[];
  beforeAll(async () => {
    objects = await renderChart(ALL_TOGGLES);
  });

  it("the cert-manager install, no metrics Services, no controller budget, two ConfigMaps", () => {
    const expected = CERT_MANAGER_OBJECTS.filter(
      (name) =>
        !name.endsWith("-metrics") &&
        name !== "PodDisruptionBudget svctokens-system/svctokens-controller",
    );
    expect(objects.map(describeObject).sort()).toEqual(
      [...expected, AUTHORIZER_CONFIGMAP, CLIENT_CA_CONFIGMAP].sort(),
    );
    const certificate = find<KubeObject>(objects, "Certificate", "svctokens-webhook");
    expect(certificate.spec).toMatchObject({
      secretName: "svctokens-webhook-cert",
      issuerRef: { kind: "Issuer", name: "svctokens-selfsigned" },
    });
    for (const kind of ["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"]) {
      const configuration = find<KubeObject>(objects, kind, "svctokens");
      expect(configuration.metadata?.annotations, kind).toEqual({
        "cert-manager.io/inject-ca-from": "svctokens-system/svctokens-webhook",
      });
    }
    const service = find<KubeObject>(objects, "Service", "svctokens-webhook");
    expect(service.spec).toMatchObject({ clusterIP: "10.96.100.100" });
  });

  it("the image, replicas, settings as env for the process that reads each, extra env", () => {
    const controller = find<V1Deployment>(objects, "Deployment", "svctokens-controller");
    const webhook = find<V1Deployment>(objects, "Deployment", "svctokens-webhook");
    expect([controller.spec?.replicas, webhook.spec?.replicas]).toEqual([1, 3]);
    const [controllerContainer] = containersOf(controller);
    const [webhookContainer] = containersOf(webhook);
    for (const container of [controllerContainer, webhookContainer]) {
      expect(container?.image).toBe("registry.example.com/platform/svctokens:9.9.9");
    }
    const env = (container: typeof webhookContainer): Record<string, string | undefined> =>
      Object.fromEntries((container?.env ?? []).map((variable) => [variable.name, variable.value]));
    expect(env(controllerContainer)).toMatchObject({
      SVCTOKENS_LOG_LEVEL: "debug",
      SVCTOKENS_RESYNC_SECONDS: "300",
      SVCTOKENS_MAX_CACHE_STALENESS_SECONDS: "45",
      SVCTOKENS_RECONCILE_CONCURRENCY: "4",
      SVCTOKENS_LEASE_DURATION_SECONDS: "20",
      SVCTOKENS_LEASE_RENEW_SECONDS: "6",
      SVCTOKENS_EXAMPLE_POLICY: "30",
    });
    expect(env(controllerContainer)).not.toHaveProperty("SVCTOKENS_MAX_TOKEN_LIFETIME_DAYS");
    expect(env(webhookContainer)).toMatchObject({
      SVCTOKENS_TLS_MODE: "files",
      SVCTOKENS_CLIENT_NAMES: "kube-apiserver,kube-apiserver-2",
      SVCTOKENS_LOG_LEVEL: "debug",
      SVCTOKENS_MAX_TOKEN_LIFETIME_DAYS: "90",
      SVCTOKENS_LAST_USED_FLUSH_SECONDS: "30",
      SVCTOKENS_ADMIN_CHECK_CACHE_SECONDS: "0",
      SVCTOKENS_ADMIN_CHECK_BURST: "10000",
      SVCTOKENS_ADMIN_CHECKS_PER_SECOND: "2.5",
    });
    expect(env(webhookContainer)).not.toHaveProperty("SVCTOKENS_RECONCILE_CONCURRENCY");
    expect(envOf(webhookContainer ?? { name: "" }, "SVCTOKENS_EXAMPLE_POLICY")).toBeUndefined();
  });

  it("the authorizer files of deploy/apiserver, pointed at the pinned ClusterIP", () => {
    const files = find<V1ConfigMap>(objects, "ConfigMap", "svctokens-apiserver-authorizer").data;
    const shipped: unknown = parse(
      readFileSync(deployPath("apiserver/authorization-config.yaml"), "utf8"),
    );
    expect(parse(files?.["authorization-config.yaml"] ?? "")).toEqual(shipped);
    const kubeconfig = parse(files?.["authz-webhook.kubeconfig"] ?? "") as {
      clusters: { cluster: Record<string, string> }[];
    };
    expect(kubeconfig.clusters[0]?.cluster).toMatchObject({
      server: "https://10.96.100.100/authorize",
      "tls-server-name": "svctokens-webhook.svctokens-system.svc",
    });
  });

  it("your own Issuer instead of the self-signed one", async () => {
    const issuerRef = { kind: "ClusterIssuer", name: "corp-ca", group: "cert-manager.io" };
    const rendered = await renderChart({
      tls: { mode: "certManager", certManager: { issuerRef } },
    });
    expect(ofKind(rendered, "Issuer")).toEqual([]);
    const certificate = find<KubeObject>(rendered, "Certificate", "svctokens-webhook");
    expect((certificate.spec as { issuerRef: unknown }).issuerRef).toEqual(issuerRef);
  });
});

describe("helm template | kubectl apply --dry-run=server", () => {
  let undoPreparation: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    undoPreparation = await prepareForDryRun();
  });
  afterAll(async () => {
    await undoPreparation?.();
  });

  // Server-side apply: one request per object. Both renderings at once (nothing is kept).
  it("admits the defaults and every toggle flipped, within restricted Pod Security", async () => {
    await Promise.all([{}, ALL_TOGGLES].map(expectAdmitted));
  });

  async function expectAdmitted(values: ChartValues): Promise<void> {
    const objects = await renderChart(values);
    const result = await adminKubectl(
      ["apply", "--server-side", "--dry-run=server", "-f", "-"],
      await renderChartYaml(values),
    );
    expect(result.code, result.stderr).toBe(0);
    // Deployments in a namespace that enforces restricted Pod Security are admitted with a
    // warning when their pods would be refused.
    expect(result.stderr).not.toMatch(/PodSecurity|would violate/);
    const admitted = result.stdout
      .split("\n")
      .filter((line) => line.endsWith(" (server dry run)"))
      .map((line) => line.split(" ")[0]);
    expect(admitted.sort()).toEqual(objects.map(appliedName).sort());
  }
});
