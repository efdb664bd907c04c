import { describe, expect, it } from "vitest";
import { ServiceUserSpecSchema, ServiceUserStatusSchema } from "../../../src/api/index.ts";

const valid: { name: string; spec: unknown }[] = [
  { name: "role only", spec: { role: "Member" } },
  { name: "every field", spec: fullSpec() },
  { name: "no teams", spec: { role: "Admin", teams: [] } },
  { name: "deactivated", spec: { role: "Manager", active: false } },
  { name: "63-character team", spec: { role: "Member", teams: ["a".repeat(63)] } },
];

const invalid: { name: string; spec: unknown; path: string }[] = [
  { name: "no role", spec: { teams: ["platform"] }, path: "role" },
  { name: "unknown role", spec: { role: "Owner" }, path: "role" },
  { name: "lowercase role", spec: { role: "admin" }, path: "role" },
  { name: "duplicate teams", spec: { role: "Member", teams: ["a", "b", "a"] }, path: "teams.2" },
  { name: "team with capitals", spec: { role: "Member", teams: ["Platform"] }, path: "teams.0" },
  { name: "team with a colon", spec: { role: "Member", teams: ["a:b"] }, path: "teams.0" },
  { name: "team ending in -", spec: { role: "Member", teams: ["ops-"] }, path: "teams.0" },
  { name: "empty team", spec: { role: "Member", teams: [""] }, path: "teams.0" },
  { name: "team too long", spec: { role: "Member", teams: ["a".repeat(64)] }, path: "teams.0" },
  { name: "active not boolean", spec: { role: "Member", active: "no" }, path: "active" },
  { name: "empty displayName", spec: { role: "Member", displayName: "" }, path: "displayName" },
  {
    name: "description too long",
    spec: { role: "Member", description: "x".repeat(1025) },
    path: "description",
  },
];

describe("ServiceUserSpecSchema", () => {
  it.each(valid)("accepts $name", ({ spec }) => {
    expect(ServiceUserSpecSchema.safeParse(spec).success).toBe(true);
  });

  it.each(invalid)("rejects $name at spec.$path", ({ spec, path }) => {
    const result = ServiceUserSpecSchema.safeParse(spec);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join("."))).toContain(path);
  });

  it("defaults active to true", () => {
    expect(ServiceUserSpecSchema.parse({ role: "Member" }).active).toBe(true);
  });
});

describe("ServiceUserStatusSchema", () => {
  it("accepts the status the controller writes", () => {
    const status = {
      phase: "Active",
      username: "payments-ci@service",
      groups: ["svctokens:service-users", "svctokens:role:manager", "svctokens:team:payments"],
      activeTokens: 2,
      tokens: 3,
      lastUsedAt: "2025-01-31T12:00:00Z",
      conditions: [
        {
          type: "Ready",
          status: "True",
          reason: "Reconciled",
          message: "",
          lastTransitionTime: "2025-01-31T12:00:00Z",
          observedGeneration: 1,
        },
      ],
      observedGeneration: 1,
    };
    expect(ServiceUserStatusSchema.parse(status)).toEqual(status);
  });

  it.each([
    { name: "unknown phase", status: { phase: "Suspended" } },
    { name: "negative token count", status: { activeTokens: -1 } },
    { name: "timestamp that is not RFC 3339", status: { lastUsedAt: "yesterday" } },
    {
      name: "condition without reason",
      status: {
        conditions: [
          {
            type: "Ready",
            status: "True",
            message: "",
            lastTransitionTime: "2025-01-31T12:00:00Z",
          },
        ],
      },
    },
  ])("rejects $name", ({ status }) => {
    expect(ServiceUserStatusSchema.safeParse(status).success).toBe(false);
  });
});

function fullSpec(): unknown {
  return {
    displayName: "Payments CI",
    description: "Deploys payments.",
    role: "Manager",
    teams: ["payments", "checkout-2"],
    active: true,
  };
}
