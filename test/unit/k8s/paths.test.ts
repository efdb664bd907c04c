import { describe, expect, it } from "vitest";
import {
  EVENTS,
  LEASES,
  SECRETS,
  resourcePath,
  withQuery,
  type ResourceRef,
} from "../../../src/k8s/paths.ts";

const TOKENS: ResourceRef = {
  group: "svctokens.dev",
  version: "v1alpha1",
  plural: "servicetokens",
  namespaced: true,
};
const USERS: ResourceRef = { ...TOKENS, plural: "serviceusers", namespaced: false };

describe("resourcePath", () => {
  it.each<{
    ref: ResourceRef;
    where: Parameters<typeof resourcePath>[1];
    path: string;
  }>([
    // Core group.
    { ref: SECRETS, where: undefined, path: "/api/v1/secrets" },
    { ref: SECRETS, where: {}, path: "/api/v1/secrets" },
    { ref: SECRETS, where: { namespace: undefined }, path: "/api/v1/secrets" },
    { ref: SECRETS, where: { namespace: "prod" }, path: "/api/v1/namespaces/prod/secrets" },
    {
      ref: SECRETS,
      where: { namespace: "prod", name: "ci-token" },
      path: "/api/v1/namespaces/prod/secrets/ci-token",
    },
    // Named groups, namespaced.
    {
      ref: TOKENS,
      where: { namespace: "prod", name: "ci" },
      path: "/apis/svctokens.dev/v1alpha1/namespaces/prod/servicetokens/ci",
    },
    {
      ref: TOKENS,
      where: { namespace: "prod", name: "ci", subresource: "status" },
      path: "/apis/svctokens.dev/v1alpha1/namespaces/prod/servicetokens/ci/status",
    },
    { ref: TOKENS, where: {}, path: "/apis/svctokens.dev/v1alpha1/servicetokens" },
    {
      ref: LEASES,
      where: { namespace: "svctokens-system", name: "svctokens-controller" },
      path: "/apis/coordination.k8s.io/v1/namespaces/svctokens-system/leases/svctokens-controller",
    },
    {
      ref: EVENTS,
      where: { namespace: "prod" },
      path: "/apis/events.k8s.io/v1/namespaces/prod/events",
    },
    // Cluster-scoped: a namespace is ignored.
    {
      ref: USERS,
      where: { name: "ci-bot" },
      path: "/apis/svctokens.dev/v1alpha1/serviceusers/ci-bot",
    },
    {
      ref: USERS,
      where: { namespace: "prod", name: "ci-bot", subresource: "status" },
      path: "/apis/svctokens.dev/v1alpha1/serviceusers/ci-bot/status",
    },
    // A subresource needs an object.
    {
      ref: TOKENS,
      where: { namespace: "prod", subresource: "status" },
      path: "/apis/svctokens.dev/v1alpha1/namespaces/prod/servicetokens",
    },
    // Names are path-encoded.
    {
      ref: SECRETS,
      where: { namespace: "prod", name: "a b/c" },
      path: "/api/v1/namespaces/prod/secrets/a%20b%2Fc",
    },
    { ref: SECRETS, where: { namespace: "a/b" }, path: "/api/v1/namespaces/a%2Fb/secrets" },
  ])("$path", ({ ref, where, path }) => {
    expect(resourcePath(ref, where)).toBe(path);
  });
});

describe("withQuery", () => {
  it.each<{ query: Parameters<typeof withQuery>[1]; path: string }>([
    { query: {}, path: "/api/v1/secrets" },
    { query: { labelSelector: undefined }, path: "/api/v1/secrets" },
    {
      query: { watch: true, resourceVersion: "123", timeoutSeconds: 300 },
      path: "/api/v1/secrets?watch=true&resourceVersion=123&timeoutSeconds=300",
    },
    {
      query: { fieldManager: "svctokens", labelSelector: undefined, force: false },
      path: "/api/v1/secrets?fieldManager=svctokens&force=false",
    },
    { query: { limit: 0 }, path: "/api/v1/secrets?limit=0" },
    { query: { resourceVersion: "" }, path: "/api/v1/secrets?resourceVersion=" },
    {
      query: { labelSelector: "app.kubernetes.io/managed-by=svctokens,a in (b c)" },
      path: "/api/v1/secrets?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dsvctokens%2Ca+in+%28b+c%29",
    },
  ])("$path", ({ query, path }) => {
    expect(withQuery("/api/v1/secrets", query)).toBe(path);
  });

  it("parses back to the values given", () => {
    const path = withQuery("/x", { labelSelector: "a=b&c", watch: true, skipped: undefined });
    const params = new URL(path, "https://host").searchParams;
    expect(params.get("labelSelector")).toBe("a=b&c");
    expect(params.get("watch")).toBe("true");
    expect(params.has("skipped")).toBe(false);
  });
});
