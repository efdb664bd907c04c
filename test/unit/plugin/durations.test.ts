import { describe, expect, it } from "vitest";
import { UsageError } from "../../../src/plugin/errors.ts";
import {
  expiresFlag,
  parseDays,
  parseExpires,
  parseOverlap,
} from "../../../src/plugin/durations.ts";

describe("parseExpires", () => {
  it.each([
    ["30d", 30],
    ["60d", 60],
    ["90d", 90],
    ["1y", 365],
    ["1d", 1],
    ["365d", 365],
    ["never", undefined],
    ["NEVER", undefined],
  ])("%s → %s days", (text, days) => {
    expect(parseExpires(text)).toBe(days);
    expect(expiresFlag(days)).toBe(days === undefined ? "never" : `${days}d`);
  });

  it.each(["0d", "366d", "2y", "30", "d", "-1d", "1.5d", ""])(
    "refuses %j as a usage error",
    (text) => {
      expect(() => parseExpires(text)).toThrow(UsageError);
    },
  );
});

describe("parseOverlap", () => {
  it.each([
    ["60m", 60],
    ["60", 60],
    ["2h", 120],
    ["1d", 1440],
    ["7d", 10080],
    ["0", 0],
  ])("%s → %i minutes", (text, minutes) => {
    expect(parseOverlap(text)).toBe(minutes);
  });

  it.each(["8d", "10081m", "1w", "-5m", "x"])("refuses %j", (text) => {
    expect(() => parseOverlap(text)).toThrow(/not an overlap/);
  });
});

describe("parseDays", () => {
  it("reads whole days and refuses anything else", () => {
    expect(parseDays("90")).toBe(90);
    expect(parseDays("0")).toBe(0);
    expect(() => parseDays("9.5")).toThrow(UsageError);
    expect(() => parseDays("ninety")).toThrow(UsageError);
  });
});
