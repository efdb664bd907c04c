import { describe, expect, it } from "vitest";
import { RecentWrites, newerOf } from "../../../src/controller/recent-writes.ts";
import type { KubeObject } from "../../../src/k8s/object.ts";

const at = (resourceVersion: string | undefined, name = "t"): KubeObject => ({
  metadata: { namespace: "ns", name, ...(resourceVersion ? { resourceVersion } : {}) },
});

describe("newerOf (the cache, unless our own write is newer)", () => {
  it.each([
    { name: "nothing written → the cache", cached: "5", written: undefined, want: "cached" },
    { name: "written later → the write", cached: "5", written: "9", want: "written" },
    { name: "the cache caught up → the cache", cached: "9", written: "9", want: "cached" },
    { name: "the cache is past it → the cache", cached: "12", written: "9", want: "cached" },
    { name: "numbers, not strings: 10 > 9", cached: "9", written: "10", want: "written" },
    { name: "not an integer → the cache", cached: "a", written: "b", want: "cached" },
    { name: "written has no version → the cache", cached: "5", written: "", want: "cached" },
  ])("$name", ({ cached, written, want }) => {
    const c = at(cached);
    const w = written === undefined ? undefined : at(written);
    expect(newerOf(c, w)).toBe(want === "cached" ? c : w);
  });

  it("a deleted object stays deleted, whatever was written", () => {
    expect(newerOf(undefined, at("9"))).toBeUndefined();
  });
});

describe("RecentWrites", () => {
  it("serves the write until the cache delivers it, then forgets it", () => {
    const writes = new RecentWrites();
    const written = at("9");
    writes.remember(written);
    expect(writes.freshest("ns/t", at("5"))).toBe(written);
    writes.observe({ type: "upsert", object: at("7") }); // an older event still in flight
    expect(writes.size).toBe(1);
    const caught = at("9");
    writes.observe({ type: "upsert", object: caught });
    expect(writes.size).toBe(0);
    expect(writes.freshest("ns/t", caught)).toBe(caught);
  });

  it("forgets on delete and keeps keys apart", () => {
    const writes = new RecentWrites();
    writes.remember(at("9", "a"));
    writes.remember(at("9", "b"));
    writes.observe({ type: "delete", object: at("3", "a") });
    expect(writes.size).toBe(1);
    expect(writes.freshest("ns/a", undefined)).toBeUndefined();
    expect(writes.freshest("ns/b", at("2", "b"))?.metadata?.resourceVersion).toBe("9");
  });
});
