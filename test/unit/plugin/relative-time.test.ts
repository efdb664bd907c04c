import { describe, expect, it } from "vitest";
import { expirationText, lastUsedText, relativeTime } from "../../../src/plugin/relative-time.ts";

const now = new Date("2026-03-01T12:00:00Z");
const at = (offsetSeconds: number): Date => new Date(now.getTime() + offsetSeconds * 1000);
const DAY = 24 * 3600;

describe("relativeTime", () => {
  it.each([
    [0, "just now"],
    [5, "in a moment"],
    [-5, "just now"],
    [-45, "45 seconds ago"],
    [-180, "3 minutes ago"],
    [-2 * 3600 - 59, "2 hours ago"],
    [29 * DAY + 3600, "in 29 days"],
    [59 * DAY, "in 59 days"],
    [90 * DAY, "in 3 months"],
    [-2 * DAY, "2 days ago"],
    [400 * DAY, "in 1 year"],
  ])("%i s → %s", (offset, text) => {
    expect(relativeTime(at(offset), now)).toBe(text);
  });
});

describe("expirationText and lastUsedText", () => {
  it("reads like the product's list", () => {
    expect(expirationText(undefined, now)).toBe("never");
    expect(expirationText(at(30 * DAY - 60).toISOString(), now)).toBe("in 29 days");
    expect(expirationText(at(-2 * DAY).toISOString(), now)).toBe("expired 2 days ago");
    expect(expirationText(now.toISOString(), now)).toBe("expired just now");
    expect(lastUsedText(undefined, now)).toBe("Not used");
    expect(lastUsedText(at(-180).toISOString(), now)).toBe("3 minutes ago");
  });
});
