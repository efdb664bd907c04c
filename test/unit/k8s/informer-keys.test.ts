import { describe, expect, it } from "vitest";
import { InformerKeys } from "../../../src/k8s/informer-keys.ts";

const object = (name: string, namespace?: string): { metadata: object } => ({
  metadata: namespace === undefined ? { name } : { name, namespace },
});

describe("InformerKeys", () => {
  it("keys objects of every namespace by namespace/name and sweeps what a relist did not see", () => {
    const keys = new InformerKeys(undefined);
    for (const o of [object("a", "prod"), object("b", "dev"), object("cluster-wide")]) {
      keys.remember(keys.keyOf(o), o);
    }
    expect(keys.keyOf(object("a", "prod"))).toBe("prod/a");
    expect(keys.size).toBe(3);
    expect([...keys.sweep(new Set(["prod/a"]))]).toEqual([
      object("b", "dev"),
      object("cluster-wide"),
    ]);
    expect(keys.size).toBe(1);
    keys.forget("prod/a");
    expect(keys.size).toBe(0);
  });

  it("keys objects of its one namespace by name and announces them in that namespace", () => {
    const keys = new InformerKeys("ops");
    const o = object("token-1", "ops");
    keys.remember(keys.keyOf(o), o);
    keys.remember(keys.keyOf(o), o);
    expect(keys.keyOf(o)).toBe("token-1");
    expect(keys.size).toBe(1);
    expect([...keys.sweep(new Set())]).toEqual([object("token-1", "ops")]);
  });
});

describe("InformerKeys over what the consumer holds", () => {
  it("keeps no key and announces gone what the consumer holds and a relist did not see", () => {
    const held = [object("a", "prod"), object("b", "prod"), object("c")];
    const keys = new InformerKeys(undefined, () => held);
    for (const o of held) keys.remember(keys.keyOf(o), o);
    expect(keys.size).toBe(0);
    expect([...keys.sweep(new Set(["prod/a"]))]).toEqual([object("b", "prod"), object("c")]);
    const inNamespace = new InformerKeys("ops", () => [{ metadata: { name: "token-1" } }]);
    expect([...inNamespace.sweep(new Set())]).toEqual([object("token-1", "ops")]);
    expect([...inNamespace.sweep(new Set(["token-1"]))]).toEqual([]);
  });
});
