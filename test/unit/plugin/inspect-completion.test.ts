import { describe, expect, it } from "vitest";
import { completionScript, completionTree } from "../../../src/plugin/completion.ts";
import { describeFound, inspectOffline, renderFacts } from "../../../src/plugin/inspect-plan.ts";
import { buildProgram } from "../../../src/plugin/program.ts";
import { generateToken, hashToken, tokenIdFromHash } from "../../../src/tokens/index.ts";
import { token, user } from "./fixtures.ts";

describe("inspectOffline", () => {
  const value = generateToken();
  it("checks prefix, length and checksum and computes the token id", () => {
    expect(inspectOffline(value)).toEqual({
      wellFormed: true,
      checks: [
        ["prefix svct_", true],
        ["length 54", true],
        ["checksum", true],
      ],
      tokenId: tokenIdFromHash(hashToken(value)),
    });
  });
  it.each([
    [
      "a wrong checksum",
      `${value.slice(0, -1)}${value.endsWith("0") ? "1" : "0"}`,
      [true, true, false],
    ],
    ["a cut value", value.slice(0, 40), [true, false, false]],
    ["another prefix", `ghp_${value.slice(4)}`, [false, true, false]],
  ])("sees %s", (_name, text, verdicts) => {
    const facts = inspectOffline(text);
    expect(facts.wellFormed).toBe(false);
    expect(facts.checks.map(([, ok]) => ok)).toEqual(verdicts);
  });

  it("describes the ServiceToken found, never its value", () => {
    const found = token("ci", {}, { phase: "Active", rotations: 1 });
    const lines = describeFound(
      found,
      user("ci-bot", { role: "Admin" }),
      new Date("2026-03-01T00:00:00Z"),
    );
    expect(renderFacts(lines)).toBe(
      [
        "ServiceToken: prod/ci",
        "User:         ci-bot (role Admin, Active)",
        "Status:       Active",
        "Expires:      never",
        "Last used:    Not used",
        "Rotations:    1",
      ].join("\n"),
    );
  });
});

describe("completion", () => {
  const io = { out: () => undefined, err: () => undefined, colour: false };
  const tree = completionTree(buildProgram(io));

  it("offers every command, subcommand and option", () => {
    expect(tree.get("")).toEqual(
      expect.arrayContaining([
        "users",
        "generate",
        "list",
        "revoke",
        "restore",
        "delete",
        "rotate",
        "inspect",
        "completion",
        "--context",
      ]),
    );
    expect(tree.get("users")).toEqual(
      expect.arrayContaining(["create", "list", "deactivate", "reactivate"]),
    );
    expect(tree.get("generate")).toEqual(
      expect.arrayContaining(["--user", "--expires", "--scim", "--output", "--deliver", "-n"]),
    );
    expect(tree.get("users deactivate")).toContain("--revoke-tokens");
  });

  it("writes bash and zsh scripts, nothing else", () => {
    expect(completionScript("bash", tree)).toContain(
      "complete -F _kubectl_svctokens_complete kubectl-svctokens",
    );
    expect(completionScript("zsh", tree)).toContain("bashcompinit");
    expect(() => completionScript("fish", tree)).toThrow(/bash or zsh/);
  });
});
