// Manifest checks (issue 15): kubeconform, strict, validates everything deploy/ ships (base,
// overlays, CRDs, the Helm chart once it exists) against schemas made from this control plane's
// own OpenAPI v3 — the built-in kinds of its exact version and the svctokens CRDs installed on
// it. Nothing is downloaded. cert-manager's kinds are skipped: its CRDs are not on this control
// plane (overlays.test.ts checks the Issuer and Certificate fields the overlay sets).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../../../src/k8s/object.ts";
import { KubeRest } from "../../../src/k8s/rest.ts";
import { adminKubeConfig, eventually } from "../support/cluster.ts";
import { gitopsTools, runTool, type GitopsTools } from "../support/gitops-tools.ts";
import { installCrds } from "../support/operator.ts";
import { parseObjects } from "./deploy-support.ts";
import {
  SCHEMA_LOCATION_TEMPLATE,
  kindSchema,
  openApiPath,
  writeKindSchemas,
  type OpenApiDocument,
  type TypeMeta,
} from "./kubeconform-schemas.ts";
import { renderedSets, type RenderedSet } from "./rendered-sets.ts";

/** Kinds whose schema this control plane cannot know, as kubeconform's -skip takes them. */
const SKIPPED = ["cert-manager.io/v1/Issuer", "cert-manager.io/v1/Certificate"];

/** Mistakes a strict check must catch: an unknown field, a duplicated key, a CRD type error. */
const MISTAKES = `apiVersion: apps/v1
kind: Deployment
metadata: {name: typo, namespace: default}
spec:
  replicas: 2
  replica: 3
  selector: {matchLabels: {app: typo}}
  template:
    metadata: {labels: {app: typo}}
    spec: {containers: [{name: app, image: app:1}]}
---
apiVersion: v1
kind: Service
metadata: {name: twice, namespace: default}
spec:
  ports: [{port: 80}]
  ports: [{port: 81}]
---
apiVersion: svctokens.dev/v1alpha1
kind: ServiceToken
metadata: {name: wrong-type, namespace: default}
spec: {serviceUser: ci, expiresInDays: "ninety"}
---
apiVersion: svctokens.dev/v1alpha1
kind: ServiceUser
metadata: {name: unknown-field, namespace: default}
spec: {role: member, colour: blue}
`;

interface KubeconformResource {
  kind: string;
  name: string;
  /** Empty for a document without content (a Helm template its values switched off). */
  status: "statusValid" | "statusInvalid" | "statusError" | "statusSkipped" | "statusEmpty" | "";
  msg: string;
}

const typeMeta = (object: KubeObject): TypeMeta => ({
  apiVersion: object.apiVersion ?? "",
  kind: object.kind ?? "",
});
const typeKey = ({ apiVersion, kind }: TypeMeta): string => `${apiVersion}/${kind}`;

describe("kubeconform -strict, with schemas from the local kube-apiserver", () => {
  let tools: GitopsTools;
  let sets: RenderedSet[];
  let schemaDir: string;

  beforeAll(async () => {
    tools = await gitopsTools();
    await installCrds();
    sets = await renderedSets(tools.dir);
    schemaDir = await mkdtemp(join(tmpdir(), "svctokens-kubeconform-"));
    const documents = [...sets.map((set) => set.yaml), MISTAKES].flatMap(parseObjects);
    const kinds = new Map(documents.map((object) => [typeKey(typeMeta(object)), typeMeta(object)]));
    for (const skipped of SKIPPED) kinds.delete(skipped);
    const byApiVersion = new Map<string, OpenApiDocument>();
    const admin = new KubeRest(adminKubeConfig());
    for (const apiVersion of new Set([...kinds.values()].map((kind) => kind.apiVersion))) {
      // A CRD's schema reaches the OpenAPI document a moment after the CRD is Established.
      const served = [...kinds.values()].filter((kind) => kind.apiVersion === apiVersion);
      const document = await eventually(`the OpenAPI schemas of ${apiVersion}`, async () => {
        const fetched = await admin.request<OpenApiDocument>("GET", openApiPath(apiVersion));
        for (const kind of served) expect(kindSchema(fetched, kind), typeKey(kind)).toBeDefined();
        return fetched;
      });
      byApiVersion.set(apiVersion, document);
    }
    admin.close();
    await writeKindSchemas(schemaDir, [...kinds.values()], (apiVersion) => {
      const document = byApiVersion.get(apiVersion);
      if (!document) throw new Error(`no OpenAPI document fetched for ${apiVersion}`);
      return document;
    });
  });

  afterAll(async () => {
    if (schemaDir) await rm(schemaDir, { recursive: true, force: true });
  });

  async function kubeconform(yaml: string): Promise<KubeconformResource[]> {
    const args = ["-strict", "-output", "json", "-verbose", "-skip", SKIPPED.join(",")];
    args.push("-schema-location", join(schemaDir, SCHEMA_LOCATION_TEMPLATE), "-");
    const result = await runTool(tools.kubeconform, args, yaml);
    const report = JSON.parse(result.stdout) as { resources: KubeconformResource[] };
    return report.resources;
  }

  it("every set deploy/ ships is valid, every object of it checked (none unknown, none skipped but cert-manager's)", async () => {
    const problems: Record<string, string[]> = {};
    const checked: Record<string, number> = {};
    for (const set of sets) {
      const resources = await kubeconform(set.yaml);
      problems[set.name] = resources
        .filter((resource) => ["statusInvalid", "statusError"].includes(resource.status))
        .map((resource) => `${resource.kind} ${resource.name}: ${resource.msg}`);
      const expected = parseObjects(set.yaml).filter(
        (object) => !SKIPPED.includes(typeKey(typeMeta(object))),
      );
      checked[set.name] = resources.filter((resource) => resource.status === "statusValid").length;
      expect(checked[set.name], set.name).toBe(expected.length);
    }
    expect(problems).toEqual(Object.fromEntries(sets.map((set) => [set.name, []])));
    expect(Object.keys(checked)).toEqual(
      expect.arrayContaining(["deploy/manifests", "deploy/crds"]),
    );
  });

  it("the schemas are strict and carry the CRDs: each planted mistake is reported", async () => {
    const verdicts = Object.fromEntries(
      (await kubeconform(MISTAKES)).map((resource) => [resource.name, resource]),
    );
    expect(verdicts.typo?.status).toBe("statusInvalid");
    expect(verdicts.typo?.msg).toMatch(/'replica' not allowed/);
    // A duplicated key fails parsing, before any schema: kubeconform reports the document only.
    expect(
      Object.values(verdicts)
        .map((verdict) => verdict.msg)
        .join("\n"),
    ).toMatch(/already (set|defined)/);
    expect(verdicts["wrong-type"]?.status).toBe("statusInvalid");
    expect(verdicts["wrong-type"]?.msg).toMatch(/expiresInDays/);
    expect(verdicts["unknown-field"]?.status).toBe("statusInvalid");
    expect(verdicts["unknown-field"]?.msg).toMatch(/'colour' not allowed/);
  });
});
