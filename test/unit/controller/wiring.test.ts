import { describe, expect, it } from "vitest";
import { userFactsForTokens } from "../../../src/controller/wiring.ts";
import type { KubeObject } from "../../../src/k8s/object.ts";

const user = (meta: Record<string, unknown>, status: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name: "ci", uid: "u1", generation: 1, ...meta },
  status,
});

describe("userFactsForTokens (which ServiceUser changes re-run its tokens)", () => {
  const base = userFactsForTokens(user({}));
  it.each([
    { name: "a status write → no", other: user({}, { tokens: 3 }), rerun: false },
    { name: "a spec change (generation) → yes", other: user({ generation: 2 }), rerun: true },
    { name: "recreated under the same name (uid) → yes", other: user({ uid: "u2" }), rerun: true },
    {
      name: "being deleted → yes",
      other: user({ deletionTimestamp: "2026-01-01T00:00:00Z" }),
      rerun: true,
    },
  ])("$name", ({ other, rerun }) => {
    expect(userFactsForTokens(other) !== base).toBe(rerun);
  });
});
