import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import {
  InvalidObjectError,
  parseServiceToken,
  parseServiceUser,
  SERVICE_TOKEN_KIND,
} from "../../../src/api/index.ts";

const SAMPLES = join(import.meta.dirname, "../../../deploy/samples");

function token(spec: unknown, metadata: object = { name: "ci", namespace: "default" }): unknown {
  return { apiVersion: "svctokens.dev/v1alpha1", kind: "ServiceToken", metadata, spec };
}

describe("parseServiceToken", () => {
  it("returns the typed object with defaults applied", () => {
    const parsed = parseServiceToken(token({ serviceUser: "ci-bot" }));
    expect(parsed.spec).toEqual({ serviceUser: "ci-bot", revoked: false });
    expect(parsed.metadata.namespace).toBe("default");
  });

  it("keeps metadata it does not model", () => {
    const ownerReferences = [{ kind: "ServiceUser", name: "ci-bot", uid: "u1" }];
    const parsed = parseServiceToken(
      token({ serviceUser: "ci-bot" }, { name: "ci", namespace: "default", ownerReferences }),
    );
    expect(parsed.metadata.ownerReferences).toEqual(ownerReferences);
  });

  it("turns metadata Date objects (as client-node hands them over) into API strings", () => {
    const parsed = parseServiceToken(
      token(
        { serviceUser: "ci-bot" },
        { name: "ci", namespace: "default", creationTimestamp: new Date("2025-01-31T12:00:00Z") },
      ),
    );
    expect(parsed.metadata.creationTimestamp).toBe("2025-01-31T12:00:00Z");
  });

  it("throws InvalidObjectError naming the object and the fields", () => {
    const bad = token({ serviceUser: "ci-bot", expiresInDays: 0, audiences: ["a", "a"] });
    const error = catchError(() => parseServiceToken(bad));
    expect(error).toBeInstanceOf(InvalidObjectError);
    expect(error).toMatchObject({
      kind: SERVICE_TOKEN_KIND,
      namespace: "default",
      objectName: "ci",
    });
    expect(error.message).toMatch(/^ServiceToken default\/ci is invalid: /);
    expect(error.message).toContain("spec.expiresInDays: ");
    expect(error.message).toContain('spec.audiences[1]: Duplicate value: "a"');
  });

  it("rejects a ServiceToken without a namespace", () => {
    expect(() => parseServiceToken(token({ serviceUser: "x" }, { name: "ci" }))).toThrow(
      /metadata.namespace/,
    );
  });

  it("rejects another kind", () => {
    const obj = { kind: "ServiceUser", metadata: { name: "x", namespace: "y" }, spec: {} };
    expect(() => parseServiceToken(obj)).toThrow(/kind/);
  });

  it.each([null, undefined, "text", 42, [], {}])("throws a typed error for %j", (input) => {
    expect(catchError(() => parseServiceToken(input))).toBeInstanceOf(InvalidObjectError);
  });

  it("lists at most five issues", () => {
    const error = catchError(() =>
      parseServiceToken(
        token({ expiresInDays: 0, revoked: 1, audiences: [], secretName: "A", tokenHash: "x" }),
      ),
    ) as InvalidObjectError;
    expect(error.issues).toHaveLength(6);
    expect(error.message).toMatch(/\(and 1 more\)$/);
  });
});

describe("parseServiceUser", () => {
  it("parses a cluster-scoped user", () => {
    const parsed = parseServiceUser({ metadata: { name: "ci-bot" }, spec: { role: "Admin" } });
    expect(parsed.spec).toEqual({ role: "Admin", active: true });
  });

  it("names an unnamed object in its error", () => {
    expect(() => parseServiceUser({ spec: { role: "Owner" } })).toThrow(
      /^ServiceUser <unnamed> is invalid: metadata: .*; spec.role: /,
    );
  });
});

describe("deploy/samples", () => {
  const files = readdirSync(SAMPLES).filter((file) => file.endsWith(".yaml"));

  it("has a Member, a Manager, an Admin and four kinds of token", () => {
    expect(files).toHaveLength(7);
  });

  it.each(files)("%s parses with the schemas", (file) => {
    for (const doc of parseAllDocuments(readFileSync(join(SAMPLES, file), "utf8"))) {
      const obj = doc.toJS() as { kind: string };
      const parse = obj.kind === "ServiceUser" ? parseServiceUser : parseServiceToken;
      expect(() => parse(obj)).not.toThrow();
    }
  });
});

function catchError(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error("expected an Error to be thrown");
}
