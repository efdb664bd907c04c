import { describe, expect, it } from "vitest";
import { exposedDeliveryTokens } from "../../../../src/controller/team-bindings/exposed.ts";
import type { KubeObject } from "../../../../src/k8s/object.ts";
import { serviceToken, serviceUser } from "../../webhook/fixtures.ts";

const HASH = `sha256:${"b".repeat(64)}`;
const users = new Map<string, KubeObject>([
  ["admin", serviceUser("admin", { role: "Admin", teams: ["pay"] })],
  ["pay-member", serviceUser("pay-member", { role: "Member", teams: ["pay"] })],
  ["sre-manager", serviceUser("sre-manager", { role: "Manager", teams: ["sre"] })],
]);
const tokens = [
  serviceToken("by-admin", { namespace: "apps", user: "admin" }),
  serviceToken("by-admin-hash", { namespace: "apps", user: "admin", tokenHash: HASH }),
  serviceToken("by-member", { namespace: "apps", user: "pay-member" }),
  serviceToken("by-sre", { namespace: "apps", user: "sre-manager" }),
  serviceToken("by-unknown", { namespace: "apps", user: "nobody" }),
  serviceToken("elsewhere", { namespace: "tools", user: "admin" }),
  { metadata: { name: "broken", namespace: "apps" }, spec: { serviceUser: 7 } },
];

describe("exposedDeliveryTokens", () => {
  it.each<{ teams: string[]; exposed: string[] }>([
    { teams: [], exposed: [] },
    { teams: ["pay"], exposed: ["by-admin", "by-sre"] },
    { teams: ["pay", "sre"], exposed: ["by-admin", "by-member", "by-sre"] },
    { teams: ["sre"], exposed: ["by-admin", "by-member"] },
  ])("a namespace of $teams → $exposed", ({ teams, exposed }) => {
    expect(exposedDeliveryTokens("apps", teams, tokens, (name) => users.get(name))).toEqual(
      exposed,
    );
  });
});
