import { describe, expect, it } from "vitest";
import {
  StatusWriteSpacing,
  statusWriteDelayMs,
} from "../../../../src/controller/service-user/status-spacing.ts";

describe("statusWriteDelayMs (at most one ServiceUser status write per interval)", () => {
  it.each([
    { name: "never written → now", last: undefined, now: 5_000, want: 0 },
    { name: "written 300 ms ago → the rest of the second", last: 4_700, now: 5_000, want: 700 },
    { name: "written exactly a second ago → now", last: 4_000, now: 5_000, want: 0 },
    { name: "written long ago → now", last: 1_000, now: 5_000, want: 0 },
    {
      name: "clock stepped back → waits no longer than the interval",
      last: 5_500,
      now: 5_000,
      want: 1_500,
    },
  ])("$name", ({ last, now, want }) => {
    expect(statusWriteDelayMs(last, now, 1_000)).toBe(want);
  });
});

describe("StatusWriteSpacing", () => {
  it("spaces writes per user, independently, and forgets users once free", () => {
    const spacing = new StatusWriteSpacing(1_000);
    expect(spacing.delayMs("a", 0)).toBe(0);
    spacing.wrote("a", 0);
    expect(spacing.delayMs("a", 250)).toBe(750);
    expect(spacing.delayMs("b", 250)).toBe(0);
    expect(spacing.delayMs("a", 1_000)).toBe(0);
    spacing.wrote("a", 1_000);
    expect(spacing.delayMs("a", 1_999)).toBe(1);
  });
});
