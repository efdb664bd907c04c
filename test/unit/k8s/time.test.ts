import { describe, expect, it } from "vitest";
import { truncateToSecond } from "../../../src/k8s/time.ts";

const T0 = Date.parse("2025-06-01T12:00:00Z");

describe("truncateToSecond", () => {
  it("drops milliseconds, as RFC 3339 status times keep none", () => {
    expect(truncateToSecond(T0 + 1999)).toBe(T0 + 1000);
    expect(truncateToSecond(T0)).toBe(T0);
  });

  it("rounds down before 1970 too, like Math.floor", () => {
    expect(truncateToSecond(-1)).toBe(-1000);
    expect(truncateToSecond(-1000)).toBe(-1000);
  });
});
