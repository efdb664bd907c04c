import { describe, expect, it } from "vitest";
import { DueKeys } from "../../../../src/controller/runtime/due-keys.ts";
import { ManualClock } from "../../manual-clock.ts";

function dueKeys(): { keys: DueKeys; clock: ManualClock; fired: string[] } {
  const clock = new ManualClock(0);
  const fired: string[] = [];
  return { keys: new DueKeys(clock, (key) => fired.push(key)), clock, fired };
}

describe("DueKeys", () => {
  it("hands keys over in due order, ties in the order they were set, on one timer", () => {
    const { keys, clock, fired } = dueKeys();
    keys.set("c", 300);
    keys.set("a", 100);
    keys.set("b", 300);
    keys.set("d", 200);
    expect(clock.pending).toBe(1);
    expect(keys.earliestInMs()).toBe(100);
    clock.advance(250);
    expect(fired).toEqual(["a", "d"]);
    clock.advance(100);
    expect(fired).toEqual(["a", "d", "c", "b"]);
    expect([keys.size, clock.pending, keys.earliestInMs()]).toEqual([0, 0, undefined]);
  });

  it("keeps times of any distance from its start, as an epoch clock gives them", () => {
    const start = Date.UTC(2026, 11, 5, 12);
    const clock = new ManualClock(start);
    const fired: string[] = [];
    const keys = new DueKeys(clock, (key) => fired.push(key));
    const times = { soon: start + 1, hour: start + 3_600_000, year: start + 365 * 86_400_000 };
    keys.set("year", times.year);
    keys.set("hour", times.hour);
    keys.set("soon", times.soon);
    keys.set("past", start - 86_400_000);
    keys.set("odd", start + 0.5);
    expect(Object.keys(times).map((key) => keys.dueAt(key))).toEqual(Object.values(times));
    expect(keys.dueAt("past")).toBe(start - 86_400_000);
    clock.advance(1);
    expect(fired).toEqual(["past", "odd", "soon"]);
    clock.advance(365 * 86_400_000);
    expect(fired).toEqual(["past", "odd", "soon", "hour", "year"]);
  });

  it("replaces a key's time and forgets deleted keys", () => {
    const { keys, clock, fired } = dueKeys();
    keys.set("a", 100);
    keys.set("b", 200);
    keys.set("a", 500);
    keys.delete("b");
    expect([keys.size, keys.dueAt("a"), keys.dueAt("b")]).toEqual([1, 500, undefined]);
    expect(keys.earliestInMs()).toBe(500);
    clock.advance(400);
    expect(fired).toEqual([]);
    clock.advance(100);
    expect(fired).toEqual(["a"]);
  });

  it("fires a key set, deleted and set again at the same time once", () => {
    const { keys, clock, fired } = dueKeys();
    keys.set("a", 100);
    keys.delete("a");
    keys.set("b", 100);
    keys.set("a", 100);
    clock.advance(100);
    expect(fired).toEqual(["b", "a"]);
  });

  it("lets a key set again from its own hand-over wait for its new time", () => {
    const clock = new ManualClock(0);
    const fired: number[] = [];
    const keys: DueKeys = new DueKeys(clock, (key) => {
      fired.push(clock.now());
      if (fired.length < 3) keys.set(key, clock.now() + 50);
    });
    keys.set("a", 10);
    clock.advance(1000);
    expect(fired).toEqual([10, 60, 110]);
  });

  it("stays correct when stale entries are compacted away", () => {
    const { keys, clock, fired } = dueKeys();
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 50; i++) keys.set(`k${i}`, 1000 + i * 10 - round);
    }
    keys.set("early", 5);
    clock.advance(5);
    expect(fired).toEqual(["early"]);
    clock.advance(10_000);
    expect(fired.slice(1)).toEqual(Array.from({ length: 50 }, (_, i) => `k${i}`));
  });

  it("cancels its timer when cleared", () => {
    const { keys, clock, fired } = dueKeys();
    keys.set("a", 100);
    keys.clear();
    expect([keys.size, clock.pending]).toEqual([0, 0]);
    clock.advance(200);
    expect(fired).toEqual([]);
  });
});
