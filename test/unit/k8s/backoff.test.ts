import { describe, expect, it } from "vitest";
import { DEFAULT_BACKOFF, backoffDelayMs } from "../../../src/k8s/backoff.ts";

const noJitter = (): number => 0.5;

describe("backoffDelayMs", () => {
  it("starts at 200 ms and doubles per consecutive failure", () => {
    const delays = [1, 2, 3, 4, 5].map((failures) => backoffDelayMs(failures, noJitter));
    expect(delays).toEqual([200, 400, 800, 1600, 3200]);
  });

  it("is capped at 60 s from the 10th failure on, without overflowing", () => {
    expect(backoffDelayMs(9, noJitter)).toBe(51_200);
    for (const failures of [10, 11, 50, 1100, Number.MAX_SAFE_INTEGER]) {
      expect(backoffDelayMs(failures, noJitter)).toBe(60_000);
    }
  });

  it("stays within ±20% of the un-jittered delay, and uses the whole range", () => {
    let random = 0;
    const next = (): number => (random = (random * 7919 + 0.123) % 1);
    for (const [failures, exact] of [
      [1, 200],
      [4, 1600],
      [30, 60_000],
    ] as const) {
      const delays = Array.from({ length: 500 }, () => backoffDelayMs(failures, next));
      expect(Math.min(...delays)).toBeGreaterThanOrEqual(exact * 0.8);
      expect(Math.max(...delays)).toBeLessThanOrEqual(exact * 1.2);
      expect(Math.min(...delays)).toBeLessThan(exact * 0.85);
      expect(Math.max(...delays)).toBeGreaterThan(exact * 1.15);
    }
  });

  it("maps the ends of the random range to the ends of the jitter range", () => {
    expect(backoffDelayMs(1, () => 0)).toBe(160);
    expect(backoffDelayMs(1, () => 0.999_999)).toBe(240);
    expect(backoffDelayMs(20, () => 0)).toBe(48_000);
    expect(backoffDelayMs(20, () => 0.999_999)).toBe(72_000);
  });

  it("clamps a faulty random source instead of going negative or unbounded", () => {
    expect(backoffDelayMs(1, () => -5)).toBe(160);
    expect(backoffDelayMs(1, () => 7)).toBe(240);
  });

  it("follows a custom policy", () => {
    const policy = { baseMs: 1000, maxMs: 5000, jitter: 0 };
    const delays = [1, 2, 3, 4].map((failures) => backoffDelayMs(failures, Math.random, policy));
    expect(delays).toEqual([1000, 2000, 4000, 5000]);
  });

  it("documents its defaults", () => {
    expect(DEFAULT_BACKOFF).toEqual({ baseMs: 200, maxMs: 60_000, jitter: 0.2 });
  });

  it.each([0, -1, 1.5, Number.NaN])("rejects %s failures", (failures) => {
    expect(() => backoffDelayMs(failures, noJitter)).toThrow(RangeError);
  });
});
