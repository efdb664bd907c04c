import { describe, expect, it } from "vitest";
import {
  addsUserReference,
  desiredOwnerReferences,
} from "../../../../src/controller/service-token/metadata.ts";
import type { OwnerReference } from "../../../../src/k8s/object.ts";
import { user } from "../builders.ts";

const userRef = (uid: string, name = "ci-bot"): OwnerReference => ({
  apiVersion: "svctokens.dev/v1alpha1",
  kind: "ServiceUser",
  name,
  uid,
});
const CONFIG_MAP: OwnerReference = {
  apiVersion: "v1",
  kind: "ConfigMap",
  name: "x",
  uid: "uid-cm",
  controller: true,
};
const APP: OwnerReference = {
  apiVersion: "argoproj.io/v1alpha1",
  kind: "Application",
  name: "a",
  uid: "uid-app",
};

const CURRENT_USER = user({ name: "ci-bot", uid: "uid-now" });
const LEAVING_USER = user({ name: "ci-bot", uid: "uid-now" });
LEAVING_USER.metadata.deletionTimestamp = "2026-12-05T07:00:00Z";

describe("desiredOwnerReferences", () => {
  it.each<{
    name: string;
    current: OwnerReference[];
    withUser: boolean;
    expected: OwnerReference[];
  }>([
    {
      name: "adds the user to no owners",
      current: [],
      withUser: true,
      expected: [userRef("uid-now")],
    },
    {
      name: "keeps a current reference",
      current: [userRef("uid-now")],
      withUser: true,
      expected: [userRef("uid-now")],
    },
    {
      name: "replaces a stale uid (user deleted and recreated)",
      current: [userRef("uid-old")],
      withUser: true,
      expected: [userRef("uid-now")],
    },
    {
      name: "keeps other owners, user last",
      current: [CONFIG_MAP, userRef("uid-old"), APP],
      withUser: true,
      expected: [CONFIG_MAP, APP, userRef("uid-now")],
    },
    {
      name: "collapses several user references into one",
      current: [userRef("uid-a", "a"), userRef("uid-b", "b")],
      withUser: true,
      expected: [userRef("uid-now")],
    },
    {
      name: "user missing: keeps the existing reference",
      current: [CONFIG_MAP, userRef("uid-old")],
      withUser: false,
      expected: [CONFIG_MAP, userRef("uid-old")],
    },
    {
      name: "user missing: adds nothing",
      current: [APP],
      withUser: false,
      expected: [APP],
    },
    { name: "user missing, no owners", current: [], withUser: false, expected: [] },
  ])("$name", ({ current, withUser, expected }) => {
    const before = structuredClone(current);
    expect(desiredOwnerReferences(current, withUser ? CURRENT_USER : undefined)).toEqual(expected);
    expect(current).toEqual(before);
  });

  it.each<[string, OwnerReference[], OwnerReference[]]>([
    ["adds no reference (orphaned by the garbage collector)", [APP], [APP]],
    ["keeps the reference it has", [userRef("uid-now"), APP], [APP, userRef("uid-now")]],
  ])("user being deleted: %s", (_, current, expected) => {
    expect(desiredOwnerReferences(current, LEAVING_USER)).toEqual(expected);
  });

  it("is settled after one write: applying it again changes nothing, byte for byte", () => {
    const once = desiredOwnerReferences([APP, userRef("uid-old")], CURRENT_USER);
    const stored = JSON.parse(JSON.stringify(once)) as OwnerReference[];
    const twice = desiredOwnerReferences(stored, CURRENT_USER);
    // ensureTokenMetadata compares with JSON.stringify: order and keys must be stable.
    expect(JSON.stringify(twice)).toBe(JSON.stringify(stored));
  });
});

// Adding a user reference is what the controller checks against kube-apiserver first.
describe("addsUserReference", () => {
  it.each<[string, OwnerReference[], OwnerReference[], boolean]>([
    ["none before, one after", [CONFIG_MAP], [CONFIG_MAP, userRef("uid-now")], true],
    ["another uid after (user recreated)", [userRef("uid-old")], [userRef("uid-now")], true],
    ["the same reference kept", [userRef("uid-now"), APP], [APP, userRef("uid-now")], false],
    ["none after", [userRef("uid-now")], [], false],
    ["none either side", [APP], [APP], false],
  ])("%s", (_name, current, wanted, adds) => {
    expect(addsUserReference(current, wanted)).toBe(adds);
  });
});
