import { describe, expect, it } from "vitest";
import { TokenBucket } from "../../../../src/webhook/admission/token-bucket.ts";

/** A bucket on a clock the test moves by hand. */
function bucketAt(capacity: number, perSecond: number) {
  const clock = { ms: 1_000_000 };
  const bucket = new TokenBucket({ capacity, perSecond, now: () => clock.ms });
  return { bucket, clock };
}

const takeAll = (bucket: TokenBucket, tries: number): number =>
  Array.from({ length: tries }, () => bucket.tryTake()).filter(Boolean).length;

describe("TokenBucket", () => {
  it.each<{
    name: string;
    capacity: number;
    perSecond: number;
    advanceMs: number;
    expected: number;
  }>([
    {
      name: "an empty bucket serves nothing",
      capacity: 5,
      perSecond: 1,
      advanceMs: 0,
      expected: 0,
    },
    { name: "refills at the rate", capacity: 5, perSecond: 2, advanceMs: 1_500, expected: 3 },
    {
      name: "never beyond its capacity",
      capacity: 5,
      perSecond: 100,
      advanceMs: 60_000,
      expected: 5,
    },
    { name: "fractional rates add up", capacity: 5, perSecond: 0.5, advanceMs: 4_000, expected: 2 },
    {
      name: "a partial token is not a token",
      capacity: 5,
      perSecond: 1,
      advanceMs: 999,
      expected: 0,
    },
  ])("$name", ({ capacity, perSecond, advanceMs, expected }) => {
    const { bucket, clock } = bucketAt(capacity, perSecond);
    takeAll(bucket, capacity); // empty it
    clock.ms += advanceMs;
    expect(takeAll(bucket, 1000)).toBe(expected);
  });

  it("serves its capacity at once, then nothing until time passes", () => {
    const { bucket, clock } = bucketAt(50, 10);
    expect(takeAll(bucket, 500)).toBe(50);
    expect(bucket.available()).toBe(0);
    clock.ms += 100;
    expect(takeAll(bucket, 500)).toBe(1);
  });

  it("a clock that steps back neither refills nor drains", () => {
    const { bucket, clock } = bucketAt(3, 1);
    expect(bucket.tryTake()).toBe(true);
    clock.ms -= 60_000;
    expect(bucket.available()).toBe(2);
    clock.ms += 60_000; // back where it was: still no refill for time already counted
    expect(bucket.available()).toBe(2);
    clock.ms += 1_000;
    expect(bucket.available()).toBe(3);
  });
});
