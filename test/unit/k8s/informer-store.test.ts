// The informer's store, kept whole or packed: reads return objects equal to what was stored,
// a filtered list rebuilds only the objects it keeps, and keys come as stored.
import { describe, expect, it } from "vitest";
import { InformerStore } from "../../../src/k8s/informer-store.ts";
import type { KubeObject } from "../../../src/k8s/object.ts";
import { ObjectPacker, type PackedObject } from "../../../src/k8s/packed-object.ts";

/** An ObjectPacker that counts what it rebuilds. */
class CountingPacker extends ObjectPacker {
  unpacked = 0;
  override unpack(packed: PackedObject): Record<string, unknown> {
    this.unpacked += 1;
    return super.unpack(packed);
  }
}

const token = (namespace: string, name: string): KubeObject => ({
  apiVersion: "svctokens.dev/v1alpha1",
  kind: "ServiceToken",
  metadata: { name, namespace, uid: `uid-${name}` },
  status: { phase: "Active", conditions: [{ type: "Ready", status: "True" }] },
});

describe("InformerStore", () => {
  it.each([
    ["whole", undefined],
    ["packed", new CountingPacker()],
  ])("kept %s: get, list, a filtered list and keys read what was remembered", (_kept, packer) => {
    const store = new InformerStore({ packer });
    const objects = [token("a", "one"), token("b", "two"), token("a", "three")];
    for (const object of objects) store.remember(store.keyOf(object), object);
    expect(store.keys()).toEqual(["a/one", "b/two", "a/three"]);
    expect(store.get("b/two")).toStrictEqual(token("b", "two"));
    expect(store.list()).toStrictEqual(objects);
    if (packer) packer.unpacked = 0;
    const inA = store.list((key) => key.startsWith("a/"));
    expect(inA).toStrictEqual([token("a", "one"), token("a", "three")]);
    // Only the kept objects are rebuilt.
    if (packer) expect(packer.unpacked).toBe(2);
    store.forget("a/one");
    expect(store.keys()).toEqual(["b/two", "a/three"]);
  });

  it("packed, hands out a fresh object on each read: a write to one never reaches the cache", () => {
    const store = new InformerStore({ packer: new ObjectPacker() });
    store.remember("a/one", token("a", "one"));
    const first = store.get("a/one");
    expect(first).not.toBe(store.get("a/one"));
    (first?.metadata as { name: string }).name = "changed";
    expect(store.get("a/one")).toStrictEqual(token("a", "one"));
  });
});
