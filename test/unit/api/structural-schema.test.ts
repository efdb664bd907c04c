import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  toStructuralSchema,
  UnsupportedSchemaError,
  zodToStructuralSchema,
} from "../../../src/api/crd/structural-schema.ts";

describe("zodToStructuralSchema", () => {
  it("folds a union of literals into one enum", () => {
    const schema = z.object({
      color: z.union([z.literal("red"), z.literal("blue")]).describe("A color."),
    });
    expect(zodToStructuralSchema(schema.describe("Paint."), "spec").properties?.color).toEqual({
      description: "A color.",
      type: "string",
      enum: ["red", "blue"],
    });
  });

  it("turns a literal into a one-value enum", () => {
    const schema = z.object({ kind: z.literal("Pod").describe("Kind.") }).describe("Root.");
    expect(zodToStructuralSchema(schema, "x").properties?.kind?.enum).toEqual(["Pod"]);
  });

  it("keeps defaults but not the required mark of defaulted fields", () => {
    const schema = z.object({ on: z.boolean().default(true).describe("On.") }).describe("Root.");
    const structural = zodToStructuralSchema(schema, "spec");
    expect(structural.properties?.on?.default).toBe(true);
    expect(structural.required).toBeUndefined();
  });

  it("drops zod's date-time regex (Kubernetes checks the format) and safe-integer bounds", () => {
    const schema = z
      .object({ at: z.iso.datetime().describe("At."), n: z.int().describe("N.") })
      .describe("Root.");
    const { at, n } = zodToStructuralSchema(schema, "status").properties ?? {};
    expect(at).toEqual({ description: "At.", type: "string", format: "date-time" });
    expect(n).toEqual({ description: "N.", type: "integer" });
  });

  it("marks nullable fields the OpenAPI v3.0 way", () => {
    const schema = z.object({ x: z.string().nullable().describe("X.") }).describe("Root.");
    expect(zodToStructuralSchema(schema, "spec").properties?.x).toMatchObject({
      type: "string",
      nullable: true,
    });
  });

  it.each([
    {
      name: "a field without a description",
      schema: z.object({ a: z.object({ b: z.string() }).describe("A.") }).describe("Root."),
      error: "spec.a.b: every field needs a description",
    },
    {
      name: "a schema without a description",
      schema: z.object({}),
      error: "spec: every field needs a description",
    },
    {
      name: "a union of types",
      schema: z.object({ a: z.union([z.string(), z.int()]).describe("A.") }).describe("Root."),
      error: "spec.a: only unions of literals of one type are supported",
    },
    {
      name: "a map",
      schema: z.object({ a: z.record(z.string(), z.string()).describe("A.") }).describe("Root."),
      error: "spec.a:",
    },
    {
      name: "a tuple",
      schema: z.object({ a: z.tuple([z.string()]).describe("A.") }).describe("Root."),
      error: "spec.a[]:",
    },
    {
      name: "a node without a type",
      schema: z.object({ a: z.unknown().describe("A.") }).describe("Root."),
      error: "spec.a: every node needs a single type",
    },
    {
      name: "preserving unknown fields",
      schema: z
        .object({
          a: z.object({}).meta({ description: "A.", "x-kubernetes-preserve-unknown-fields": true }),
        })
        .describe("Root."),
      error: "spec.a: unsupported keyword(s) x-kubernetes-preserve-unknown-fields",
    },
  ])("refuses $name, naming the field", ({ schema, error }) => {
    expect(() => zodToStructuralSchema(schema, "spec")).toThrow(UnsupportedSchemaError);
    expect(() => zodToStructuralSchema(schema, "spec")).toThrow(error);
  });
});

describe("toStructuralSchema", () => {
  it("drops $schema and additionalProperties: false", () => {
    const json = {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      description: "Root.",
      type: "object",
      additionalProperties: false,
      properties: {},
      required: [],
    };
    expect(toStructuralSchema(json, "spec")).toEqual({
      description: "Root.",
      type: "object",
      properties: {},
    });
  });

  it("refuses $ref", () => {
    expect(() => toStructuralSchema({ $ref: "#/$defs/x", type: "object" }, "spec")).toThrow(
      "spec: unsupported keyword(s) $ref",
    );
  });
});
