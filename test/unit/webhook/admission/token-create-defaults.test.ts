// Mutating admission at ServiceToken CREATE: adds the controller's finalizer and the owner
// reference to a cached ServiceUser, exactly as the controller would, and nothing else.
import { describe, expect, it } from "vitest";
import type { ServiceUser } from "../../../../src/api/index.ts";
import { TOKEN_FINALIZER } from "../../../../src/domain/token-ownership.ts";
import type { KubeObject } from "../../../../src/k8s/object.ts";
import { tokenCreateDefaults } from "../../../../src/webhook/admission/token-create-defaults.ts";
import { desiredOwnerReferences } from "../../../../src/controller/service-token/metadata.ts";
import { serviceToken, serviceUser } from "../fixtures.ts";
import { admissionRequest } from "./fixtures.ts";

const USER = serviceUser("ci-bot") as unknown as ServiceUser;
const USER_REF = {
  apiVersion: "svctokens.dev/v1alpha1",
  kind: "ServiceUser",
  name: "ci-bot",
  uid: "uid-user-ci-bot",
};
const cached = (name: string): ServiceUser | undefined => (name === "ci-bot" ? USER : undefined);

const withMetadata = (metadata: Record<string, unknown>): KubeObject => {
  const token = serviceToken("ci");
  return { ...token, metadata: { ...token.metadata, ...metadata } };
};
const OTHER_OWNER = { apiVersion: "v1", kind: "ConfigMap", name: "x", uid: "uid-x" };

interface Case {
  name: string;
  request: ReturnType<typeof admissionRequest>;
  patch: unknown[];
}

const cases: Case[] = [
  {
    name: "a bare token: the finalizer and the owner reference",
    request: admissionRequest("CREATE", "servicetokens", { object: serviceToken("ci") }),
    patch: [
      { op: "add", path: "/metadata/finalizers", value: [TOKEN_FINALIZER] },
      { op: "add", path: "/metadata/ownerReferences", value: [USER_REF] },
    ],
  },
  {
    name: "other finalizers and owners are kept: ours appended",
    request: admissionRequest("CREATE", "servicetokens", {
      object: withMetadata({ finalizers: ["example.com/x"], ownerReferences: [OTHER_OWNER] }),
    }),
    patch: [
      { op: "add", path: "/metadata/finalizers/-", value: TOKEN_FINALIZER },
      { op: "add", path: "/metadata/ownerReferences/-", value: USER_REF },
    ],
  },
  {
    name: "already there: nothing to add",
    request: admissionRequest("CREATE", "servicetokens", {
      object: withMetadata({ finalizers: [TOKEN_FINALIZER], ownerReferences: [USER_REF] }),
    }),
    patch: [],
  },
  {
    name: "a ServiceUser reference the creator wrote is left to the controller, not replaced",
    request: admissionRequest("CREATE", "servicetokens", {
      object: withMetadata({ ownerReferences: [{ ...USER_REF, uid: "uid-someone-else" }] }),
    }),
    patch: [{ op: "add", path: "/metadata/finalizers", value: [TOKEN_FINALIZER] }],
  },
  {
    name: "ServiceUser not in the cache (applied later): the finalizer only",
    request: admissionRequest("CREATE", "servicetokens", {
      object: serviceToken("ci", { user: "later-bot" }),
    }),
    patch: [{ op: "add", path: "/metadata/finalizers", value: [TOKEN_FINALIZER] }],
  },
  {
    name: "an UPDATE is never mutated",
    request: admissionRequest("UPDATE", "servicetokens", {
      object: serviceToken("ci"),
      oldObject: serviceToken("ci"),
    }),
    patch: [],
  },
  {
    name: "a status subresource CREATE is never mutated",
    request: admissionRequest("CREATE", "servicetokens", {
      object: serviceToken("ci"),
      subResource: "status",
    }),
    patch: [],
  },
  {
    name: "another kind is never mutated",
    request: admissionRequest("CREATE", "serviceusers", { object: serviceUser("ci-bot") }),
    patch: [],
  },
];

describe("tokenCreateDefaults", () => {
  it.each(cases)("$name", ({ request, patch }) => {
    expect(tokenCreateDefaults(request, cached)).toEqual(patch);
  });

  it("sets the owner reference the controller would set (so it never patches it again)", () => {
    const [, owners] = tokenCreateDefaults(
      admissionRequest("CREATE", "servicetokens", { object: serviceToken("ci") }),
      cached,
    );
    const refs = owners?.value as { apiVersion: string; kind: string; name: string; uid: string }[];
    expect(JSON.stringify(desiredOwnerReferences(refs, USER))).toBe(JSON.stringify(refs));
  });

  it("adds only the finalizer for a user being deleted (its deletion may orphan tokens)", () => {
    const leaving = structuredClone(USER);
    leaving.metadata.deletionTimestamp = "2026-12-05T07:00:00Z";
    const request = admissionRequest("CREATE", "servicetokens", { object: serviceToken("ci") });
    expect(tokenCreateDefaults(request, () => leaving)).toEqual([
      { op: "add", path: "/metadata/finalizers", value: [TOKEN_FINALIZER] },
    ]);
    expect(desiredOwnerReferences([], leaving)).toEqual([]);
  });
});
