import { describe, expect, it } from "vitest";
import type { ServiceUserStatus } from "../../../../src/api/index.ts";
import { userTransitionEvents } from "../../../../src/controller/service-user/transitions.ts";
import { user } from "../builders.ts";

const status = (phase: "Active" | "Deactivated", role: string): ServiceUserStatus => ({
  phase,
  groups: ["svctokens:service-users", `svctokens:role:${role}`, "svctokens:team:payments"],
});

describe("userTransitionEvents", () => {
  it.each<{
    name: string;
    active: boolean;
    role: "Admin" | "Manager" | "Member";
    before: ServiceUserStatus | undefined;
    reasons: string[];
  }>([
    {
      name: "first status (new user)",
      active: true,
      role: "Member",
      before: undefined,
      reasons: [],
    },
    {
      name: "first status of a deactivated user",
      active: false,
      role: "Member",
      before: {},
      reasons: [],
    },
    {
      name: "nothing changed",
      active: true,
      role: "Member",
      before: status("Active", "member"),
      reasons: [],
    },
    {
      name: "deactivated",
      active: false,
      role: "Member",
      before: status("Active", "member"),
      reasons: ["Deactivated"],
    },
    {
      name: "reactivated",
      active: true,
      role: "Member",
      before: status("Deactivated", "member"),
      reasons: ["Reactivated"],
    },
    {
      name: "still deactivated",
      active: false,
      role: "Member",
      before: status("Deactivated", "member"),
      reasons: [],
    },
    {
      name: "role raised",
      active: true,
      role: "Admin",
      before: status("Active", "member"),
      reasons: ["RoleChanged"],
    },
    {
      name: "deactivated and role changed at once",
      active: false,
      role: "Manager",
      before: status("Active", "admin"),
      reasons: ["Deactivated", "RoleChanged"],
    },
    {
      name: "status without groups (written by an older controller)",
      active: true,
      role: "Admin",
      before: { phase: "Active" },
      reasons: [],
    },
  ])("$name → $reasons", ({ active, role, before, reasons }) => {
    const u = user({ spec: { active, role }, ...(before ? { status: before } : {}) });
    expect(userTransitionEvents(u).map((e) => e.reason)).toEqual(reasons);
  });

  it("says from which role to which", () => {
    const u = user({ spec: { role: "Admin" }, status: status("Active", "member") });
    expect(userTransitionEvents(u)).toEqual([
      { reason: "RoleChanged", note: "Role changed from Member to Admin." },
    ]);
  });
});
