import { describe, expect, it } from "vitest";
import { requestResource } from "../../../src/k8s/request-resource.ts";

describe("requestResource", () => {
  it.each([
    // Core group, namespaced.
    { path: "/api/v1/namespaces/prod/secrets/ci-token", resource: "secrets" },
    { path: "/api/v1/namespaces/prod/secrets", resource: "secrets" },
    { path: "/api/v1/namespaces/prod/pods/web-0/log", resource: "pods/log" },
    // Core group, all namespaces or cluster-scoped.
    { path: "/api/v1/secrets", resource: "secrets" },
    { path: "/api/v1/namespaces", resource: "namespaces" },
    { path: "/api/v1/namespaces/prod", resource: "namespaces" },
    { path: "/api/v1/nodes/node-1/status", resource: "nodes/status" },
    // Named groups, namespaced.
    {
      path: "/apis/svctokens.dev/v1alpha1/namespaces/prod/servicetokens/ci",
      resource: "servicetokens",
    },
    {
      path: "/apis/svctokens.dev/v1alpha1/namespaces/prod/servicetokens/ci/status",
      resource: "servicetokens/status",
    },
    {
      path: "/apis/coordination.k8s.io/v1/namespaces/svctokens-system/leases/svctokens-controller",
      resource: "leases",
    },
    // Named groups, cluster-scoped or all namespaces.
    { path: "/apis/svctokens.dev/v1alpha1/serviceusers", resource: "serviceusers" },
    {
      path: "/apis/svctokens.dev/v1alpha1/serviceusers/ci-bot/status",
      resource: "serviceusers/status",
    },
    { path: "/apis/svctokens.dev/v1alpha1/servicetokens", resource: "servicetokens" },
    {
      path: "/apis/authorization.k8s.io/v1/subjectaccessreviews",
      resource: "subjectaccessreviews",
    },
    // Query strings never reach the label.
    {
      path: "/apis/svctokens.dev/v1alpha1/servicetokens?watch=true&resourceVersion=12",
      resource: "servicetokens",
    },
    {
      path: "/api/v1/namespaces/prod/secrets/ci-token?fieldManager=svctokens&force=true",
      resource: "secrets",
    },
    {
      path: "/apis/svctokens.dev/v1alpha1/namespaces/prod/servicetokens/ci/status?fieldManager=x",
      resource: "servicetokens/status",
    },
    { path: "/api/v1/secrets?labelSelector=a%3Db", resource: "secrets" },
    // A namespace or object named like a path segment.
    { path: "/api/v1/namespaces/namespaces/secrets/status", resource: "secrets" },
    // Not a resource path: a bounded fallback.
    { path: "/", resource: "unknown" },
    { path: "", resource: "unknown" },
    { path: "/api", resource: "unknown" },
    { path: "/apis/svctokens.dev/v1alpha1", resource: "unknown" },
    { path: "/healthz", resource: "unknown" },
    { path: "/version?timeout=32s", resource: "unknown" },
  ])("$path → $resource", ({ path, resource }) => {
    expect(requestResource(path)).toBe(resource);
  });
});
