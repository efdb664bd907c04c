import { describe, expect, it } from "vitest";
import { ObjectPacker, type ValueCodec } from "../../../src/k8s/packed-object.ts";
import { DECIMAL_STRING } from "../../../src/k8s/value-codecs.ts";

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

describe("ObjectPacker, as the controller packs ServiceTokens", () => {
  const sharedSpec = Object.freeze({ serviceUser: "ci", revoked: false });
  const condition = (status: string, reason: string) => ({
    type: "Ready",
    status,
    reason,
    message: "The token is active.",
    lastTransitionTime: "2026-12-05T11:49:08Z",
    observedGeneration: 1,
  });
  const cachedToken = (phase: string, status: string, reason: string, extra: object = {}) => ({
    apiVersion: "svctokens.dev/v1alpha1",
    kind: "ServiceToken",
    metadata: {
      name: "t-1",
      uid: "0b000000-0000-4000-8000-000000000001",
      resourceVersion: "1000020",
      generation: 1,
      creationTimestamp: "2026-12-05T11:49:08Z",
      namespace: "team-a",
      ...extra,
    },
    spec: sharedSpec,
    status: {
      phase,
      tokenId: "4a4b1c0c04921437",
      secretName: "t-1-token",
      conditions: [condition(status, reason)],
      observedGeneration: 1,
    },
  });
  const packer = new ObjectPacker(["apiVersion", "kind", "type", "status", "reason", "phase"]);

  it.each([
    ["an active token", cachedToken("Active", "True", "Active")],
    ["a revoked token", cachedToken("Revoked", "False", "Revoked")],
    [
      "a token being deleted, with labels",
      cachedToken("Active", "True", "Active", {
        deletionTimestamp: "2026-12-06T00:00:00Z",
        labels: { status: "a label named status", phase: "x" },
      }),
    ],
    ["a token without status", { ...cachedToken("Active", "True", "Active"), status: undefined }],
  ])("round-trips %s, its frozen spec by reference", (_name, object) => {
    const unpacked = packer.unpack(packer.pack(object));
    expect(unpacked).toStrictEqual(object);
    expect(JSON.stringify(unpacked)).toBe(JSON.stringify(object));
    expect(unpacked.spec).toBe(sharedSpec);
    expect(Object.isFrozen(unpacked.spec)).toBe(true);
  });

  it("keeps the phase and the condition's type, status and reason in the shape", () => {
    const [shape, ...values] = packer.pack(cachedToken("Active", "True", "Active"));
    expect(values).not.toContain("Active");
    expect(values).not.toContain("True");
    expect(values).not.toContain("Ready");
    expect(packer.pack(cachedToken("Active", "True", "Active"))[0]).toBe(shape);
    expect(packer.pack(cachedToken("Expired", "False", "Expired"))[0]).not.toBe(shape);
  });
});

describe("ObjectPacker with codecs", () => {
  const upper: ValueCodec = {
    name: "lower-only",
    encode: (value) => (value === value.toLowerCase() ? value.toUpperCase() : undefined),
    decode: (encoded) => (encoded as string).toLowerCase(),
  };
  const packer = new ObjectPacker([], { resourceVersion: DECIMAL_STRING, word: upper });
  const object = (resourceVersion: string, word: string) => ({
    metadata: { name: "n", resourceVersion },
    data: { word, words: ["kept", "as", "is"] },
    word,
  });

  it.each([
    ["both encoded", object("42", "abc")],
    ["a resourceVersion that is not decimal", object("0042", "abc")],
    ["a word the codec refuses", object("42", "Abc")],
  ])("round-trips an object with %s", (_name, value) => {
    const packed = packer.pack(value);
    expect(packer.unpack(packed)).toStrictEqual(value);
    expect(JSON.stringify(packer.unpack(packed))).toBe(JSON.stringify(value));
  });

  it("keeps encoded values in the slots; a refused value makes another shape", () => {
    const [shape, ...values] = packer.pack(object("42", "abc"));
    expect(values).toEqual(["n", 42, "ABC", "kept", "as", "is", "ABC"]);
    expect(packer.pack(object("7", "xyz"))[0]).toBe(shape);
    expect(packer.pack(object("7", "Xyz"))[0]).not.toBe(shape);
  });
});
