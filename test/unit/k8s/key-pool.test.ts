import { describe, expect, it } from "vitest";
import { KeyPool } from "../../../src/k8s/key-pool.ts";

const token = (namespace: string, name: string) => ({ metadata: { namespace, name } });

describe("KeyPool", () => {
  it("hands out one string per held object, and nothing pooled for others", () => {
    const pool = new KeyPool();
    const first = pool.keyOf(token("team-a", "ci"));
    expect(first).toBe("team-a/ci");
    expect(Object.is(pool.keyOf(token("team-a", "ci")), first)).toBe(true);
    expect(Object.is(pool.known(["team-a", "ci"].join("/")), first)).toBe(true);
    expect(pool.known("team-a/other")).toBe("team-a/other");
    expect(pool.size).toBe(1);
  });

  it("forgets a released key", () => {
    const pool = new KeyPool();
    pool.keyOf(token("team-a", "ci"));
    pool.release("team-a/ci");
    expect(pool.size).toBe(0);
    expect(pool.known("team-a/ci")).toBe("team-a/ci");
  });
});
