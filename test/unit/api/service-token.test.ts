import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  ServiceTokenSpecSchema,
  ServiceTokenStatusSchema,
  TOKEN_HASH_WITH_SECRET_NAME_MESSAGE,
} from "../../../src/api/index.ts";

const HASH = `sha256:${createHash("sha256").update("sample").digest("hex")}`;

const valid: { name: string; spec: unknown }[] = [
  { name: "serviceUser only (never expires)", spec: { serviceUser: "ci" } },
  { name: "1 day", spec: { serviceUser: "ci", expiresInDays: 1 } },
  { name: "365 days", spec: { serviceUser: "ci", expiresInDays: 365 } },
  { name: "SCIM token", spec: { serviceUser: "ci", audiences: ["scim"] } },
  { name: "dotted serviceUser", spec: { serviceUser: "ci.payments.example" } },
  { name: "client-generated", spec: { serviceUser: "ci", tokenHash: HASH } },
  { name: "chosen Secret", spec: { serviceUser: "ci", secretName: "ci-credentials" } },
  { name: "revoked", spec: { serviceUser: "ci", revoked: true, description: "old" } },
];

const invalid: { name: string; spec: unknown; path: string }[] = [
  { name: "no serviceUser", spec: { expiresInDays: 30 }, path: "serviceUser" },
  { name: "serviceUser with capitals", spec: { serviceUser: "CI" }, path: "serviceUser" },
  { name: "empty serviceUser", spec: { serviceUser: "" }, path: "serviceUser" },
  { name: "0 days", spec: { serviceUser: "ci", expiresInDays: 0 }, path: "expiresInDays" },
  { name: "366 days", spec: { serviceUser: "ci", expiresInDays: 366 }, path: "expiresInDays" },
  { name: "1.5 days", spec: { serviceUser: "ci", expiresInDays: 1.5 }, path: "expiresInDays" },
  {
    name: "days as string",
    spec: { serviceUser: "ci", expiresInDays: "30" },
    path: "expiresInDays",
  },
  { name: "revoked as string", spec: { serviceUser: "ci", revoked: "yes" }, path: "revoked" },
  { name: "empty audiences", spec: { serviceUser: "ci", audiences: [] }, path: "audiences" },
  { name: "empty audience", spec: { serviceUser: "ci", audiences: [""] }, path: "audiences.0" },
  {
    name: "duplicate audiences",
    spec: { serviceUser: "ci", audiences: ["scim", "scim"] },
    path: "audiences.1",
  },
  {
    name: "secretName with capitals",
    spec: { serviceUser: "ci", secretName: "Ci" },
    path: "secretName",
  },
  {
    name: "secretName too long",
    spec: { serviceUser: "ci", secretName: "a".repeat(254) },
    path: "secretName",
  },
  {
    name: "hash without prefix",
    spec: { serviceUser: "ci", tokenHash: HASH.slice(7) },
    path: "tokenHash",
  },
  {
    name: "hash in uppercase hex",
    spec: { serviceUser: "ci", tokenHash: HASH.toUpperCase().replace("SHA256", "sha256") },
    path: "tokenHash",
  },
  {
    name: "short hash",
    spec: { serviceUser: "ci", tokenHash: HASH.slice(0, -1) },
    path: "tokenHash",
  },
  {
    name: "tokenHash with secretName",
    spec: { serviceUser: "ci", tokenHash: HASH, secretName: "ci-token" },
    path: "secretName",
  },
];

describe("ServiceTokenSpecSchema", () => {
  it.each(valid)("accepts $name", ({ spec }) => {
    expect(ServiceTokenSpecSchema.safeParse(spec).success).toBe(true);
  });

  it.each(invalid)("rejects $name at spec.$path", ({ spec, path }) => {
    const result = ServiceTokenSpecSchema.safeParse(spec);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join("."))).toContain(path);
  });

  it("defaults revoked to false", () => {
    expect(ServiceTokenSpecSchema.parse({ serviceUser: "ci" }).revoked).toBe(false);
  });

  it("explains why tokenHash and secretName exclude each other", () => {
    const result = ServiceTokenSpecSchema.safeParse({
      serviceUser: "ci",
      tokenHash: HASH,
      secretName: "x",
    });
    expect(result.error?.issues[0]?.message).toBe(TOKEN_HASH_WITH_SECRET_NAME_MESSAGE);
  });
});

describe("ServiceTokenStatusSchema", () => {
  it("accepts the status the controller writes", () => {
    const status = {
      phase: "Revoked",
      tokenId: HASH.slice(7, 23),
      username: "ci@service",
      secretName: "ci-token",
      createdAt: "2025-01-01T00:00:00Z",
      expiresAt: "2025-04-01T00:00:00Z",
      lastUsedAt: "2025-01-02T03:04:05.123Z",
      revokedAt: "2025-01-03T00:00:00+01:00",
      observedGeneration: 2,
    };
    expect(ServiceTokenStatusSchema.parse(status)).toEqual(status);
  });

  it.each([
    { name: "unknown phase", status: { phase: "Pending" } },
    { name: "tokenId too long", status: { tokenId: HASH.slice(7, 24) } },
    { name: "tokenId in uppercase", status: { tokenId: "ABCDEF0123456789" } },
    { name: "date without time", status: { expiresAt: "2025-04-01" } },
  ])("rejects $name", ({ status }) => {
    expect(ServiceTokenStatusSchema.safeParse(status).success).toBe(false);
  });
});
