import { describe, expect, it } from "vitest";
import {
  customResourceDefinitions,
  type CustomResourceDefinition,
} from "../../../src/api/crd/crd-manifests.ts";
import type { StructuralSchema } from "../../../src/api/crd/structural-schema.ts";

const [userCrd, tokenCrd] = customResourceDefinitions();
if (userCrd === undefined || tokenCrd === undefined) throw new Error("expected two CRDs");
const version = (crd: CustomResourceDefinition) => crd.spec.versions[0]!;
const root = (crd: CustomResourceDefinition) => version(crd).schema.openAPIV3Schema;

// Every node of a schema with its path, `metadata` excluded: the API server owns it.
function nodes(schema: StructuralSchema, path = ""): [string, StructuralSchema][] {
  const children = Object.entries(schema.properties ?? {})
    .filter(([name]) => path !== "" || name !== "metadata")
    .flatMap(([name, child]) => nodes(child, path === "" ? name : `${path}.${name}`));
  const items = schema.items ? nodes(schema.items, `${path}[]`) : [];
  return [[path || "<root>", schema], ...children, ...items];
}

// Keywords an apiextensions.k8s.io/v1 structural schema may not carry (or may not carry here).
const FORBIDDEN = [
  "$ref",
  "$schema",
  "$defs",
  "definitions",
  "id",
  "anyOf",
  "oneOf",
  "allOf",
  "not",
  "additionalProperties",
  "uniqueItems",
  "const",
  "x-kubernetes-preserve-unknown-fields",
];

describe.each([
  { kind: "ServiceUser", crd: userCrd },
  { kind: "ServiceToken", crd: tokenCrd },
])("the $kind CRD schema", ({ crd }) => {
  it.each(nodes(root(crd)))("%s has a type and a description", (_path, node) => {
    expect(node.type).toMatch(/^(object|array|string|integer|number|boolean)$/);
    expect(node.description?.trim()).toBeTruthy();
  });

  it.each(nodes(root(crd)))("%s carries no forbidden keyword", (_path, node) => {
    expect(Object.keys(node).filter((key) => FORBIDDEN.includes(key))).toEqual([]);
  });

  it("declares metadata as a plain object, prunes unknown fields, and requires spec", () => {
    expect(root(crd).properties?.metadata).toEqual({ type: "object" });
    expect(root(crd).required).toEqual(["spec"]);
  });

  it("has the status subresource and the svctokens category", () => {
    expect(version(crd).subresources).toEqual({ status: {} });
    expect(crd.spec.names.categories).toEqual(["svctokens"]);
    expect(version(crd)).toMatchObject({ name: "v1alpha1", served: true, storage: true });
  });
});

describe("the ServiceUser CRD", () => {
  const spec = root(userCrd).properties!.spec!.properties!;

  it("is cluster-scoped with the short name su", () => {
    expect(userCrd.metadata.name).toBe("serviceusers.svctokens.dev");
    expect(userCrd.spec.scope).toBe("Cluster");
    expect(userCrd.spec.names.shortNames).toEqual(["su"]);
  });

  it("carries enum, default and unique teams", () => {
    expect(spec.role?.enum).toEqual(["Admin", "Manager", "Member"]);
    expect(root(userCrd).properties!.spec!.required).toEqual(["role"]);
    expect(spec.active?.default).toBe(true);
    expect(spec.teams?.["x-kubernetes-list-type"]).toBe("set");
    expect(spec.teams?.items?.pattern).toBeDefined();
  });

  it("shows ROLE, STATUS, ACTIVE TOKENS, LAST USED and AGE", () => {
    expect(defaultColumns(userCrd)).toEqual([
      "ROLE",
      "STATUS",
      "ACTIVE TOKENS",
      "LAST USED",
      "AGE",
    ]);
  });
});

describe("the ServiceToken CRD", () => {
  const specSchema = root(tokenCrd).properties!.spec!;
  const spec = specSchema.properties!;
  const specRules = specSchema["x-kubernetes-validations"] ?? [];

  it("is namespaced with the short name st", () => {
    expect(tokenCrd.metadata.name).toBe("servicetokens.svctokens.dev");
    expect(tokenCrd.spec.scope).toBe("Namespaced");
    expect(tokenCrd.spec.names.shortNames).toEqual(["st"]);
  });

  it("carries bounds, patterns, defaults and unique audiences", () => {
    expect(spec.expiresInDays).toMatchObject({ type: "integer", minimum: 1, maximum: 365 });
    expect(spec.tokenHash).toMatchObject({ pattern: "^sha256:[0-9a-f]{64}$", maxLength: 71 });
    for (const name of [spec.secretName, spec.serviceUser]) {
      expect(name?.maxLength).toBe(253);
      expect(name?.pattern).toMatch(/^\^\[a-z0-9\]/);
    }
    expect(spec.revoked?.default).toBe(false);
    expect(spec.audiences?.["x-kubernetes-list-type"]).toBe("set");
    expect(specSchema.required).toEqual(["serviceUser"]);
  });

  it("lets spec.tokenHash change (an Admin rotating a client-generated token)", () => {
    const rules = spec.tokenHash?.["x-kubernetes-validations"] ?? [];
    expect(rules.some((r) => r.rule === "self == oldSelf")).toBe(false);
  });

  it("bounds spec.rotation and defaults its overlap to 60 minutes", () => {
    const rotation = spec.rotation as unknown as {
      properties: Record<string, { minimum?: number; maximum?: number; default?: number }>;
    };
    expect(rotation.properties.everyDays).toMatchObject({ minimum: 1, maximum: 365 });
    expect(rotation.properties.overlapMinutes).toMatchObject({
      minimum: 0,
      maximum: 10080,
      default: 60,
    });
    expect(specRules.map((r) => r.fieldPath)).toContain(".rotation");
  });

  it.each(["serviceUser", "expiresInDays", "audiences", "secretName"])(
    "makes spec.%s immutable with a message naming it",
    (field) => {
      const rule = spec[field]?.["x-kubernetes-validations"]?.find(
        (r) => r.rule === "self == oldSelf",
      );
      expect(rule?.message).toMatch(new RegExp(`^spec\\.${field} is immutable: .+`));
    },
  );

  it.each(["expiresInDays", "audiences", "secretName", "tokenHash"])(
    "forbids adding or removing spec.%s after creation",
    (field) => {
      const rule = specRules.find((r) => r.rule === `has(self.${field}) == has(oldSelf.${field})`);
      expect(rule?.fieldPath).toBe(`.${field}`);
      expect(rule?.message).toMatch(
        new RegExp(`^spec\\.${field} cannot be added or removed after creation: .+`),
      );
    },
  );

  it("shows USER, STATUS, EXPIRES, LAST USED and AGE", () => {
    expect(defaultColumns(tokenCrd)).toEqual(["USER", "STATUS", "EXPIRES", "LAST USED", "AGE"]);
  });

  it("prints EXPIRES as the controller's display string: a date column shows <invalid> for the future", () => {
    const columns = version(tokenCrd).additionalPrinterColumns;
    expect(columns.find((c) => c.name === "Expires")).toMatchObject({
      type: "string",
      jsonPath: ".status.expiresIn",
    });
    expect(columns.find((c) => c.name === "Expires At")).toMatchObject({
      type: "string",
      jsonPath: ".status.expiresAt",
      priority: 1,
    });
  });
});

// The header kubectl prints (NAME comes first on its own), without the `-o wide` columns.
function defaultColumns(crd: CustomResourceDefinition): string[] {
  return version(crd)
    .additionalPrinterColumns.filter((column) => column.priority === undefined)
    .map((column) => column.name.toUpperCase());
}
