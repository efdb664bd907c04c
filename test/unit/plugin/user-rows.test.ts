import { describe, expect, it } from "vitest";
import {
  activeTokensOf,
  desiredUser,
  revokedTokensOf,
  tokenRefs,
  userHeaders,
  userRow,
  userStatus,
} from "../../../src/plugin/user-rows.ts";
import { token, user } from "./fixtures.ts";

const now = new Date("2026-03-01T12:00:00Z");

describe("users", () => {
  it("creates the ServiceUser asked for", () => {
    expect(
      desiredUser({
        name: "ci-bot",
        role: "Manager",
        teams: ["a", "b"],
        displayName: "CI",
        labels: {},
      }),
    ).toEqual({
      apiVersion: "svctokens.dev/v1alpha1",
      kind: "ServiceUser",
      metadata: { name: "ci-bot" },
      spec: { role: "Manager", active: true, teams: ["a", "b"], displayName: "CI" },
    });
  });

  it("lists name, role, teams, status, Active tokens and last use", () => {
    expect(userHeaders(false, false)).toEqual([
      "NAME",
      "ROLE",
      "TEAMS",
      "STATUS",
      "ACTIVE TOKENS",
      "LAST USED",
    ]);
    const busy = user(
      "ci-bot",
      { teams: ["a", "b"] },
      { phase: "Active", activeTokens: 2, lastUsedAt: "2026-03-01T11:57:00Z" },
    );
    expect(userRow(busy, false, false, now)).toEqual([
      "ci-bot",
      "Member",
      "a,b",
      "Active",
      "2",
      "3 minutes ago",
    ]);
    const idle = user("idle", { active: false });
    expect(userRow(idle, true, false, now)).toEqual([
      "idle",
      "Member",
      "-",
      "Deactivated",
      "0",
      "Not used",
      "-",
      "idle@service",
      "0",
      "-",
    ]);
    expect(userStatus(user("x"))).toBe("Active");
  });

  it("finds the tokens that stand in the way of a deactivation, and the revoked ones", () => {
    const tokens = [
      token("a", {}, { phase: "Active" }),
      token("b", { revoked: true }, { phase: "Revoked" }),
      token("c", {}, { phase: "Expired" }),
      token("d", { serviceUser: "other" }, { phase: "Active" }),
      token("e"),
    ];
    expect(tokenRefs(activeTokensOf(tokens, "ci-bot"))).toBe("prod/a, prod/e");
    expect(tokenRefs(revokedTokensOf(tokens, "ci-bot"))).toBe("prod/b");
  });
});
