import { describe, expect, it } from "vitest";
import { CacheSharing } from "../../../src/controller/cache-sharing.ts";
import type { KubeObject } from "../../../src/k8s/object.ts";

const token = (name: string, user: string): KubeObject =>
  // Parsed from JSON, as an informer gets it.
  JSON.parse(
    JSON.stringify({
      apiVersion: "svctokens.dev/v1alpha1",
      kind: "ServiceToken",
      metadata: {
        name,
        namespace: "team-a",
        uid: `uid-${name}`,
        finalizers: ["svctokens.dev/hash-record"],
        ownerReferences: [{ kind: "ServiceUser", name: user, uid: `uid-${user}` }],
      },
      spec: { serviceUser: user },
      status: { phase: "Active", tokenId: `id-${name}`, conditions: [{ type: "Ready" }] },
    }),
  ) as KubeObject;
const PARTS = ["metadata.ownerReferences", "metadata.finalizers", "spec"];

describe("CacheSharing", () => {
  it("keeps every value and shares equal parts as one frozen copy", () => {
    const sharing = new CacheSharing();
    const a = sharing.share(token("a", "ci"), PARTS);
    const b = sharing.share(token("b", "ci"), PARTS);
    const c = sharing.share(token("c", "deploy"), PARTS);
    expect(a).toEqual(token("a", "ci"));
    expect(c).toEqual(token("c", "deploy"));
    expect(b.metadata?.ownerReferences).toBe(a.metadata?.ownerReferences);
    expect(b.metadata?.finalizers).toBe(c.metadata?.finalizers);
    expect(b.spec).toBe(a.spec);
    expect(c.spec).not.toBe(a.spec);
    expect(b.status).not.toBe(a.status);
    expect(Object.isFrozen(a.spec)).toBe(true);
    expect(Object.isFrozen(a.metadata?.ownerReferences?.[0])).toBe(true);
    expect(Object.isFrozen(a.status)).toBe(false);
  });

  it("refuses writes to a shared part instead of changing every object that shares it", () => {
    const sharing = new CacheSharing();
    const a = sharing.share(token("a", "ci"), PARTS);
    const b = sharing.share(token("b", "ci"), PARTS);
    expect(() => {
      (a.spec as { serviceUser: string }).serviceUser = "other";
    }).toThrow(TypeError);
    expect(b.spec).toEqual({ serviceUser: "ci" });
  });

  it("leaves objects without the named parts as they were", () => {
    const sharing = new CacheSharing();
    const secret: KubeObject = { apiVersion: "v1", kind: "Secret", metadata: { name: "s" } };
    expect(sharing.share(structuredClone(secret), PARTS)).toEqual(secret);
  });
});
