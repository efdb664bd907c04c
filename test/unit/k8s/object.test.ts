import { describe, expect, it } from "vitest";
import { flatObjectKey, objectKey, splitKey, type ObjectMeta } from "../../../src/k8s/object.ts";

describe("objectKey", () => {
  it.each<{ metadata: ObjectMeta | undefined; key: string }>([
    { metadata: { namespace: "prod", name: "ci" }, key: "prod/ci" },
    { metadata: { name: "ci-bot" }, key: "ci-bot" },
    { metadata: { namespace: "", name: "ci-bot" }, key: "ci-bot" },
    { metadata: { namespace: "prod" }, key: "prod/" },
    { metadata: {}, key: "" },
    { metadata: undefined, key: "" },
  ])("$metadata → '$key'", ({ metadata, key }) => {
    expect(objectKey(metadata ? { metadata } : {})).toBe(key);
    expect(flatObjectKey(metadata ? { metadata } : {})).toBe(key);
  });

  it("flatObjectKey keeps any name a JSON body can carry", () => {
    const metadata = { namespace: "prød", name: "ci-é-🔑" };
    expect(flatObjectKey({ metadata })).toBe(objectKey({ metadata }));
  });
});

describe("splitKey", () => {
  it.each([
    { key: "prod/ci", namespace: "prod", name: "ci" },
    { key: "ci-bot", namespace: undefined, name: "ci-bot" },
    { key: "", namespace: undefined, name: "" },
    // Only the first slash separates: a name never holds one, but nothing is lost if it does.
    { key: "prod/a/b", namespace: "prod", name: "a/b" },
  ])("'$key' → $namespace / $name", ({ key, namespace, name }) => {
    expect(splitKey(key)).toEqual({ namespace, name });
  });

  it.each([
    { namespace: "prod", name: "ci" },
    { namespace: undefined, name: "ci-bot" },
  ])("round-trips objectKey ($namespace, $name)", ({ namespace, name }) => {
    const metadata = namespace ? { namespace, name } : { name };
    expect(splitKey(objectKey({ metadata }))).toEqual({ namespace, name });
  });
});
