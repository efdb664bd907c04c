// The CRDs on a real API server: they install and are Established, every sample applies with
// kubectl, the server applies defaults and prunes unknown fields, and status is a subresource.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  API_CATEGORY,
  parseServiceToken,
  parseServiceUser,
  SERVICE_TOKEN_KIND,
  SERVICE_USER_KIND,
} from "../../../src/api/index.ts";
import { newNamespace, uniqueSuffix } from "../support/cluster.ts";
import { installCrds } from "../support/operator.ts";
import { Api, type TestObject } from "../support/resources.ts";
import { adminKubectl, adminKubectlOk, objectPath } from "./support.ts";

const SAMPLES_DIR = join(import.meta.dirname, "../../../deploy/samples");
const SAMPLES = readdirSync(SAMPLES_DIR)
  .filter((file) => file.endsWith(".yaml"))
  .sort()
  .map((file) => {
    const path = join(SAMPLES_DIR, file);
    return { file, path, manifest: parse(readFileSync(path, "utf8")) as TestObject };
  });

const CRDS = [
  { name: "serviceusers.svctokens.dev", kind: SERVICE_USER_KIND, shortName: "su" },
  { name: "servicetokens.svctokens.dev", kind: SERVICE_TOKEN_KIND, shortName: "st" },
];

interface CrdStatus {
  conditions?: { type: string; status: string; reason: string }[];
  acceptedNames?: { kind?: string; shortNames?: string[]; categories?: string[] };
  storedVersions?: string[];
}

describe("svctokens CRDs on the API server", () => {
  const api = new Api();
  const suffix = uniqueSuffix();
  let namespace: string;
  const users: string[] = [];

  const tokenPath = (name?: string, subresource?: string): string =>
    objectPath(SERVICE_TOKEN_KIND, { namespace, ...(name ? { name } : {}), subresource });
  const userPath = (name?: string, subresource?: string): string =>
    objectPath(SERVICE_USER_KIND, { ...(name ? { name } : {}), subresource });
  const patch = async (path: string, body: unknown): Promise<TestObject> =>
    api.rest.request<TestObject>("PATCH", path, body, "application/merge-patch+json");
  const newUser = async (spec: Record<string, unknown>): Promise<TestObject> => {
    const name = `api-crds-${users.length}-${suffix}`;
    users.push(name);
    return api.createUser(name, spec);
  };

  beforeAll(async () => {
    await installCrds();
    namespace = await newNamespace("api-crds");
    // The samples have fixed names: start from none of them, so each apply must create.
    await adminKubectlOk(["delete", "--ignore-not-found", "--wait", "-f", SAMPLES_DIR]);
  });

  afterAll(async () => {
    await adminKubectl(["delete", "--ignore-not-found", "-f", SAMPLES_DIR]);
    await Promise.all(users.map((name) => api.delete(userPath(name))));
    if (namespace) await api.delete(`/api/v1/namespaces/${namespace}`);
  });

  it.each(CRDS)("$name is Established with its names accepted", async (crd) => {
    const installed = await api.rest.request<{ status?: CrdStatus }>(
      "GET",
      `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.name}`,
    );
    const condition = (type: string): string | undefined =>
      installed.status?.conditions?.find((c) => c.type === type)?.status;
    expect(condition("Established")).toBe("True");
    expect(condition("NamesAccepted")).toBe("True");
    // The API server flags a schema it cannot use fully (e.g. not structural) with this.
    expect(condition("NonStructuralSchema")).toBeUndefined();
    expect(installed.status?.acceptedNames).toMatchObject({
      kind: crd.kind,
      shortNames: [crd.shortName],
      categories: [API_CATEGORY],
    });
    expect(installed.status?.storedVersions).toEqual(["v1alpha1"]);
  });

  it("has samples of both kinds", () => {
    const kinds = new Set(SAMPLES.map((sample) => sample.manifest.kind));
    expect(kinds).toEqual(new Set([SERVICE_USER_KIND, SERVICE_TOKEN_KIND]));
  });

  // Users sort before tokens (01-, 02-, … 10-), as `kubectl apply -f deploy/samples` does.
  it.each(SAMPLES)("applies $file with kubectl apply -f", async ({ path, manifest }) => {
    const name = manifest.metadata?.name ?? "";
    const result = await adminKubectl(["apply", "-f", path]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(
      `${manifest.kind?.toLowerCase()}.svctokens.dev/${name} created`,
    );

    const where = { name, namespace: manifest.metadata?.namespace ?? "" };
    const stored = await api.rest.request<TestObject>(
      "GET",
      objectPath(manifest.kind ?? "", where),
    );
    // Stored exactly as written plus the server's defaults, and readable by the program.
    const defaults = manifest.kind === SERVICE_USER_KIND ? { active: true } : { revoked: false };
    expect(stored.spec).toEqual({ ...defaults, ...manifest.spec });
    const parseKind = manifest.kind === SERVICE_USER_KIND ? parseServiceUser : parseServiceToken;
    expect(parseKind(stored).spec).toEqual(stored.spec);
  });

  it("defaults active to true on a ServiceUser, and keeps an explicit false", async () => {
    expect((await newUser({ role: "Member" })).spec).toEqual({ role: "Member", active: true });
    expect((await newUser({ role: "Admin", active: false })).spec).toEqual({
      role: "Admin",
      active: false,
    });
  });

  it("defaults revoked to false on a ServiceToken, and keeps an explicit true", async () => {
    const created = await api.createToken(namespace, "defaults", { serviceUser: "ci" });
    expect(created.spec).toEqual({ serviceUser: "ci", revoked: false });
    expect((await api.token(namespace, "defaults"))?.spec).toEqual(created.spec);
    const revoked = await api.createToken(namespace, "defaults-revoked", {
      serviceUser: "ci",
      revoked: true,
    });
    expect(revoked.spec).toEqual({ serviceUser: "ci", revoked: true });
  });

  it("prunes unknown fields in spec, at the root and in status", async () => {
    const created = await api.rest.request<TestObject>("POST", tokenPath(), {
      apiVersion: "svctokens.dev/v1alpha1",
      kind: SERVICE_TOKEN_KIND,
      metadata: { name: "pruned", namespace },
      spec: { serviceUser: "ci", owner: "someone", ttl: "30d" },
      extra: { kept: false },
    });
    expect(created.spec).toEqual({ serviceUser: "ci", revoked: false });
    expect(created).not.toHaveProperty("extra");
    // Before a controller writes status, the CRD's default says "not observed yet" (kstatus).
    expect(created.status).toEqual({ observedGeneration: 0 });

    const condition = {
      type: "Ready",
      status: "True",
      reason: "Reconciled",
      message: "",
      lastTransitionTime: "2025-01-31T12:00:00Z",
    };
    const withStatus = await patch(tokenPath("pruned", "status"), {
      status: { phase: "Active", color: "green", conditions: [{ ...condition, severity: "low" }] },
    });
    expect(withStatus.status).toEqual({
      observedGeneration: 0,
      phase: "Active",
      conditions: [condition],
    });
    const stored = await api.token(namespace, "pruned");
    expect(stored?.spec).toEqual(created.spec);
    expect(stored?.status).toEqual(withStatus.status);
  });

  it("refuses unknown fields from kubectl, which validates strictly", async () => {
    const manifest = {
      apiVersion: "svctokens.dev/v1alpha1",
      kind: SERVICE_TOKEN_KIND,
      metadata: { name: "strict", namespace },
      spec: { serviceUser: "ci", expiresInDay: 30 },
    };
    const result = await adminKubectl(["apply", "-f", "-"], JSON.stringify(manifest));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/unknown field "spec\.expiresInDay"/);
    expect(await api.token(namespace, "strict")).toBeUndefined();
  });

  const statusCases = [
    {
      kind: SERVICE_TOKEN_KIND,
      create: async (): Promise<TestObject> =>
        api.createToken(namespace, `status-${suffix}`, { serviceUser: "ci" }),
      path: (name: string, sub?: string): string => tokenPath(name, sub),
      specChange: { revoked: true },
      statusWritten: { phase: "Revoked" },
      statusIgnored: { phase: "Expired" },
    },
    {
      kind: SERVICE_USER_KIND,
      create: async (): Promise<TestObject> => newUser({ role: "Member" }),
      path: (name: string, sub?: string): string => userPath(name, sub),
      specChange: { role: "Admin" },
      statusWritten: { phase: "Deactivated" },
      statusIgnored: { phase: "Active" },
    },
  ];

  it.each(statusCases)(
    "$kind: /status ignores spec, the main resource ignores status",
    async ({ create, path, specChange, statusWritten, statusIgnored }) => {
      const created = await create();
      const name = created.metadata?.name ?? "";
      expect(created.metadata?.generation).toBe(1);

      const viaStatus = await patch(path(name, "status"), {
        spec: specChange,
        status: statusWritten,
      });
      expect(viaStatus.spec).toEqual(created.spec);
      expect(viaStatus.status).toEqual({ observedGeneration: 0, ...statusWritten });
      expect(viaStatus.metadata?.generation).toBe(1);

      const viaMain = await patch(path(name), {
        spec: { description: "changed" },
        status: statusIgnored,
      });
      expect(viaMain.spec).toEqual({ ...created.spec, description: "changed" });
      expect(viaMain.status).toEqual({ observedGeneration: 0, ...statusWritten });
      expect(viaMain.metadata?.generation).toBe(2);

      const stored = await api.rest.request<TestObject>("GET", path(name));
      expect(stored.spec).toEqual(viaMain.spec);
      expect(stored.status).toEqual({ observedGeneration: 0, ...statusWritten });
    },
  );
});
