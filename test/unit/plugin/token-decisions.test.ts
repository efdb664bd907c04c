import { describe, expect, it } from "vitest";
import { ROTATE_REQUESTED_AT_ANNOTATION } from "../../../src/api/index.ts";
import {
  confirmsDeletion,
  decideDelete,
  decideRestore,
  decideRevoke,
  decideRotate,
  replacementCommand,
  rotationPatch,
} from "../../../src/plugin/token-decisions.ts";
import { token } from "./fixtures.ts";

const active = token("ci", { expiresInDays: 30 }, { phase: "Active" });
const revoked = token("ci", { expiresInDays: 30, revoked: true }, { phase: "Revoked" });
const expired = token(
  "ci",
  { audiences: ["scim"] },
  { phase: "Expired", expiresAt: "2026-01-01T00:00:00Z" },
);

describe("token decisions", () => {
  it.each([
    ["revoke Active", decideRevoke(active), { kind: "patch", patch: { spec: { revoked: true } } }],
    ["revoke Revoked", decideRevoke(revoked), { kind: "done" }],
    [
      "restore Revoked",
      decideRestore(revoked),
      { kind: "patch", patch: { spec: { revoked: false } } },
    ],
    ["restore Active", decideRestore(active), { kind: "done" }],
    ["restore Expired", decideRestore(expired), { kind: "refused" }],
    [
      "delete Active",
      decideDelete(active),
      { kind: "refused", message: "ServiceToken prod/ci is Active: revoke it first" },
    ],
    ["delete Revoked", decideDelete(revoked), { kind: "patch" }],
    ["delete Expired", decideDelete(expired), { kind: "patch" }],
    ["delete Pending", decideDelete(token("ci")), { kind: "refused" }],
    ["rotate Active", decideRotate(active), { kind: "patch" }],
    ["rotate Revoked", decideRotate(revoked), { kind: "refused" }],
    ["rotate Expired", decideRotate(expired), { kind: "refused" }],
  ])("%s", (_name, decision, expected) => {
    expect(decision).toMatchObject(expected);
  });

  it("tells an Admin what to run instead of restoring an expired token", () => {
    const decision = decideRestore(expired);
    expect(decision).toMatchObject({
      message:
        "ServiceToken prod/ci expired at 2026-01-01T00:00:00Z: an expired token can never be restored",
      hint: "Generate a new token instead:\n  kubectl svctokens generate ci-new --user ci-bot --expires never --scim -n prod",
    });
    expect(replacementCommand(active)).toBe(
      "kubectl svctokens generate ci-new --user ci-bot --expires 30d -n prod",
    );
  });

  it("asks for rotation with the annotation, the overlap and a new hash only when given", () => {
    const now = new Date("2026-03-01T12:00:00.123Z");
    const annotation = {
      metadata: { annotations: { [ROTATE_REQUESTED_AT_ANNOTATION]: "2026-03-01T12:00:00Z" } },
    };
    expect(rotationPatch(now, undefined, undefined)).toEqual(annotation);
    expect(rotationPatch(now, 120, undefined)).toEqual({
      ...annotation,
      spec: { rotation: { overlapMinutes: 120 } },
    });
    const hash = `sha256:${"b".repeat(64)}` as const;
    expect(rotationPatch(now, 0, hash)).toEqual({
      ...annotation,
      spec: { tokenHash: hash, rotation: { overlapMinutes: 0 } },
    });
  });

  it("confirms a deletion only with the exact name", () => {
    expect(confirmsDeletion("ci\n", "ci")).toBe(true);
    expect(confirmsDeletion("c", "ci")).toBe(false);
    expect(confirmsDeletion("CI", "ci")).toBe(false);
    expect(confirmsDeletion("", "ci")).toBe(false);
  });
});
