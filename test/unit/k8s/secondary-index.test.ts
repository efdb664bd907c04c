import { describe, expect, it } from "vitest";
import { SecondaryIndex } from "../../../src/k8s/secondary-index.ts";

describe("SecondaryIndex", () => {
  it("files each object under one index key, moves it on change and forgets it on delete", () => {
    const index = new SecondaryIndex();
    index.set("ns/a", "alice");
    index.set("ns/b", "alice");
    index.set("ns/c", "bob");
    expect([...index.get("alice")].sort()).toEqual(["ns/a", "ns/b"]);
    index.set("ns/b", "bob");
    expect(index.get("alice")).toEqual(["ns/a"]);
    expect([...index.get("bob")].sort()).toEqual(["ns/b", "ns/c"]);
    index.set("ns/c", undefined);
    expect(index.get("bob")).toEqual(["ns/b"]);
    index.delete("ns/a");
    index.delete("ns/unknown");
    expect(index.get("alice")).toEqual([]);
  });
});
