// Proves the local control plane is a real Kubernetes: storage, RBAC, garbage collection,
// kubectl and the pinned version.
import { readFileSync } from "node:fs";
import { ApiException, CoreV1Api } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import {
  adminKubeConfig,
  controlPlane,
  eventually,
  kubeConfigFrom,
  newNamespace,
} from "./support/cluster.ts";
import { kubectl } from "./support/kubectl.ts";

const pinnedKubernetesVersion = /^\s*k8s\.io\/kubernetes (v\S+)/m.exec(
  readFileSync(new URL("../../hack/controlplane/kubernetes/go.mod", import.meta.url), "utf8"),
)?.[1];

describe("local control plane", () => {
  let namespace: string;
  const admin = (): CoreV1Api => adminKubeConfig().makeApiClient(CoreV1Api);

  beforeAll(async () => {
    namespace = await newNamespace("controlplane");
  });

  it("stores and returns a Secret", async () => {
    await admin().createNamespacedSecret({
      namespace,
      body: { metadata: { name: "round-trip" }, stringData: { greeting: "hello" } },
    });
    const secret = await admin().readNamespacedSecret({ namespace, name: "round-trip" });
    expect(Buffer.from(secret.data?.greeting ?? "", "base64").toString()).toBe("hello");
  });

  it("enforces RBAC: alice may not list Secrets, admin may", async () => {
    const alice = kubeConfigFrom(controlPlane().aliceKubeconfig).makeApiClient(CoreV1Api);
    const denied = await alice.listNamespacedSecret({ namespace }).catch((error: unknown) => error);
    expect(denied).toBeInstanceOf(ApiException);
    expect((denied as ApiException<unknown>).code).toBe(403);
    const allowed = await admin().listNamespacedSecret({ namespace });
    expect(Array.isArray(allowed.items)).toBe(true);
  });

  it("garbage-collects a ConfigMap whose owner was deleted", async () => {
    const owner = await admin().createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: "owner" } },
    });
    await admin().createNamespacedConfigMap({
      namespace,
      body: {
        metadata: {
          name: "dependent",
          ownerReferences: [
            { apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: owner.metadata?.uid ?? "" },
          ],
        },
      },
    });
    await admin().deleteNamespacedConfigMap({ namespace, name: "owner" });
    await eventually("the dependent ConfigMap to be garbage-collected", async () => {
      const gone = await admin()
        .readNamespacedConfigMap({ namespace, name: "dependent" })
        .then(() => false)
        .catch((error: unknown) => error instanceof ApiException && error.code === 404);
      return gone ? true : undefined;
    });
  });

  it("works with the machine's kubectl and a written kubeconfig", async () => {
    const result = await kubectl(controlPlane().adminKubeconfig, [
      "get",
      "namespace",
      namespace,
      "-o",
      "name",
    ]);
    expect(result.stderr).toBe("");
    expect(result.stdout.trim()).toBe(`namespace/${namespace}`);
    const whoami = await kubectl(controlPlane().aliceKubeconfig, ["auth", "whoami", "-o", "json"]);
    expect(JSON.parse(whoami.stdout)).toMatchObject({
      status: { userInfo: { username: "alice" } },
    });
  });

  it("reports the pinned Kubernetes version", async () => {
    expect(pinnedKubernetesVersion).toMatch(/^v1\.\d+\.\d+$/);
    expect(controlPlane().kubernetesVersion).toBe(pinnedKubernetesVersion);
    const result = await kubectl(controlPlane().adminKubeconfig, ["version", "-o", "json"]);
    expect(JSON.parse(result.stdout)).toMatchObject({
      serverVersion: { gitVersion: pinnedKubernetesVersion },
    });
  });
});
