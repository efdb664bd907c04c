import { describe, expect, it } from "vitest";
import { ObjectPacker } from "../../../src/k8s/packed-object.ts";

const sharedManagedFields = Object.freeze([
  Object.freeze({ manager: "svctokens-controller", fieldsV1: Object.freeze({ "f:data": {} }) }),
]);

const deliverySecret = (name: string) => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: {
    name,
    namespace: "team-a",
    resourceVersion: "42",
    labels: { "app.kubernetes.io/managed-by": "svctokens", "svctokens.dev/token-name": "ci" },
    ownerReferences: [
      {
        apiVersion: "svctokens.dev/v1alpha1",
        kind: "ServiceToken",
        name: "ci",
        uid: "u-1",
        controller: true,
      },
    ],
    managedFields: sharedManagedFields,
  },
  type: "svctokens.dev/service-token",
  data: { token: "c3ZjdF8=", tokenId: "YWJj", username: "dXNlcg==" },
});

describe("ObjectPacker", () => {
  it("rebuilds an equal object, shared parts by reference, fresh objects each time", () => {
    const packer = new ObjectPacker();
    const packed = packer.pack(deliverySecret("ci-token"));
    const first = packer.unpack(packed);
    expect(first).toStrictEqual(deliverySecret("ci-token"));
    expect(JSON.stringify(first)).toBe(JSON.stringify(deliverySecret("ci-token")));
    const meta = first.metadata as { managedFields: unknown };
    expect(meta.managedFields).toBe(sharedManagedFields);
    expect(packer.unpack(packed)).not.toBe(first);
  });

  it("shares one shape between objects with the same keys", () => {
    const packer = new ObjectPacker();
    const [one] = packer.pack(deliverySecret("a-token"));
    const [two] = packer.pack(deliverySecret("b-token"));
    expect(two).toBe(one);
    const [other] = packer.pack({ ...deliverySecret("c-token"), immutable: true });
    expect(other).not.toBe(one);
    // A constant (kind) that differs is another shape, and rebuilt as it was.
    const odd = { ...deliverySecret("d-token"), kind: "NotASecret" };
    const packed = packer.pack(odd);
    expect(packed[0]).not.toBe(one);
    expect(packer.unpack(packed)).toStrictEqual(odd);
    expect(packer.unpack(packer.pack(deliverySecret("e-token")))).toStrictEqual(
      deliverySecret("e-token"),
    );
  });

  it.each([
    ["empty objects and arrays", { metadata: {}, data: {}, list: [] }],
    ["nulls, numbers and booleans", { a: null, b: 0, c: false, d: [1, "x", null, { e: 2 }] }],
    ["nested arrays", { a: [[1, 2], [], [{ b: [3] }]] }],
    [
      "a __proto__ key as JSON.parse makes it",
      JSON.parse('{"a":{"__proto__":{"x":1}},"b":1}') as object,
    ],
  ])("round-trips %s", (_name, object) => {
    const packer = new ObjectPacker();
    expect(JSON.stringify(packer.unpack(packer.pack(object)))).toBe(JSON.stringify(object));
    expect(packer.unpack(packer.pack(object))).toStrictEqual(object);
  });
});
