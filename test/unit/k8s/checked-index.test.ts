import { describe, expect, it } from "vitest";
import { CheckedIndex } from "../../../src/k8s/checked-index.ts";

describe("CheckedIndex", () => {
  /** A cache of object key → index key, and an index fed as informer events would feed it. */
  const world = () => {
    const cache = new Map<string, string | undefined>();
    const index = new CheckedIndex((key) => cache.get(key));
    const upsert = (key: string, indexKey: string | undefined) => {
      cache.set(key, indexKey);
      index.add(key, indexKey);
    };
    const remove = (key: string) => {
      const last = cache.get(key);
      cache.delete(key);
      index.remove(key, last);
    };
    return { cache, index, upsert, remove };
  };

  it("files each object under its index key and forgets it on delete", () => {
    const { index, upsert, remove } = world();
    upsert("ns/a", "alice");
    upsert("ns/b", "alice");
    upsert("ns/c", "bob");
    upsert("ns/a", "alice");
    upsert("ns/d", undefined);
    expect(index.get("alice")).toEqual(["ns/a", "ns/b"]);
    expect(index.get("bob")).toEqual(["ns/c"]);
    remove("ns/a");
    remove("ns/unknown");
    expect(index.get("alice")).toEqual(["ns/b"]);
    expect(index.get("nobody")).toEqual([]);
  });

  it.each([
    ["moved to another index key", (w: ReturnType<typeof world>) => w.upsert("ns/b", "bob")],
    ["moved to none", (w: ReturnType<typeof world>) => w.upsert("ns/b", undefined)],
    [
      "deleted and recreated under another key, the deletion unseen",
      (w: ReturnType<typeof world>) => w.upsert("ns/b", "carol"),
    ],
    ["gone from the cache unannounced", (w: ReturnType<typeof world>) => w.cache.delete("ns/b")],
  ])("reads only what the cache files there: an object %s is dropped", (_name, change) => {
    const w = world();
    w.upsert("ns/a", "alice");
    w.upsert("ns/b", "alice");
    change(w);
    expect(w.index.get("alice")).toEqual(["ns/a"]);
    // Dropped for good: filing it back under the old key counts it once again.
    w.upsert("ns/b", "alice");
    expect(w.index.get("alice")).toEqual(["ns/a", "ns/b"]);
  });
});
