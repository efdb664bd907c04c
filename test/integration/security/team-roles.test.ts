// Attacks on the team-scoped role model (issue 9, finding 1), with real Service User tokens
// from their delivery Secrets against kube-apiserver, the shipped RBAC (deploy/manifests), and
// the controller and webhook running under their own ServiceAccount identities. On the old
// roles.yaml (Manager → edit, Member → view cluster-wide) most of these fail.
import { describe, expect, it } from "vitest";
import { rejectionOf } from "../api/support.ts";
import { PATCH } from "../../../src/k8s/rest.ts";
import { apiserverWrites, settledApiserverWrites } from "../support/bulk.ts";
import { eventually } from "../support/cluster.ts";
import { settle, startController } from "../support/controller.ts";
import { OPERATOR_NAMESPACE } from "../support/operator.ts";
import { Api } from "../support/resources.ts";
import { admissionDenial, expectForbidden, tokenKubeconfig } from "../webhook/webhook-support.ts";
import { canIList, secretRules, writeRules } from "./can-i.ts";

import {
  adminUser,
  bindingSummaries,
  as,
  canI,
  expectRefused,
  labelNamespace,
  manager,
  member,
  memberUser,
  managerUser,
  noCredentials,
  otherNs,
  pod,
  run,
  team,
  teamBindings,
  teamLabel,
  teamNs,
  teamWorld,
} from "./team-world.ts";

teamWorld();

describe("the controller keeps team RoleBindings", () => {
  it("binds the team's Members to view and its Managers and Admins to svctokens:manager", async () => {
    expect(bindingSummaries(await teamBindings(teamNs))).toEqual([
      {
        name: `svctokens:team:${team}:manager`,
        role: "svctokens:manager",
        groups: [`svctokens:team:${team}:admin`, `svctokens:team:${team}:manager`],
      },
      {
        name: `svctokens:team:${team}:member`,
        role: "view",
        groups: [`svctokens:team:${team}:member`],
      },
    ]);
    expect(await teamBindings(otherNs)).toEqual([]);
  });

  it("writes nothing when restarted over settled namespaces", async () => {
    await settle(run.controller!);
    await run.controller!.stop();
    const before = await settledApiserverWrites(run.admin, ["rolebindings", "events"]);
    run.controller = await startController();
    await settle(run.controller);
    expect(await apiserverWrites(run.admin, ["rolebindings", "events"])).toBe(before);
  });
});

describe("a Manager token cannot become anyone else", () => {
  it("cannot create Pods, Secrets or ServiceAccount tokens in the operator's namespace", async () => {
    const ns = ["-n", OPERATOR_NAMESPACE];
    expectRefused(
      await as(manager, [...ns, "create", "-f", "-"], pod("attack")),
      `cannot create resource "pods" in API group "" in the namespace "${OPERATOR_NAMESPACE}"`,
    );
    expectRefused(
      await as(manager, [...ns, "create", "secret", "generic", "attack", "--from-literal=a=b"]),
      `cannot create resource "secrets"`,
    );
    expectRefused(
      await as(manager, [...ns, "create", "token", "svctokens-controller"]),
      `cannot create resource "serviceaccounts/token"`,
    );
  });

  it("cannot impersonate", async () => {
    for (const identity of [
      ["--as=system:serviceaccount:kube-system:generic-garbage-collector"],
      [`--as=system:serviceaccount:${OPERATOR_NAMESPACE}:svctokens-controller`],
      ["--as=admin", "--as-group=system:masters"],
    ]) {
      expectRefused(
        await as(manager, [...identity, "get", "pods", "-n", "kube-system"]),
        "cannot impersonate",
      );
    }
  });

  it("cannot patch ClusterRoles or bind roles", async () => {
    const api = new Api(await tokenKubeconfig(run.dir, manager.value));
    try {
      const error = await rejectionOf(
        api.rest.request(
          "PATCH",
          "/apis/rbac.authorization.k8s.io/v1/clusterroles/svctokens:manager",
          [
            {
              op: "add",
              path: "/rules/-",
              value: { apiGroups: [""], resources: ["secrets"], verbs: ["get"] },
            },
          ],
          PATCH.json,
        ),
      );
      expectForbidden(error, `cannot patch resource "clusterroles"`);
    } finally {
      api.rest.close();
    }
    expectRefused(
      await as(manager, [
        "create",
        "rolebinding",
        "attack",
        "-n",
        teamNs,
        "--clusterrole=edit",
        `--user=${managerUser}@service`,
      ]),
      `cannot create resource "rolebindings"`,
    );
  });

  it("cannot read Secrets anywhere, its team namespace included", async () => {
    for (const ns of [teamNs, otherNs, OPERATOR_NAMESPACE, "kube-system"]) {
      expectRefused(
        await as(manager, ["get", "secrets", "-n", ns]),
        `cannot list resource "secrets"`,
      );
      expectRefused(
        await as(manager, ["get", "secret", "member-token", "-n", ns]),
        `cannot get resource "secrets"`,
      );
    }
    expectRefused(
      await as(member, ["get", "secrets", "-n", teamNs]),
      `cannot list resource "secrets"`,
    );
  });
});

describe("kubectl auth can-i --list", () => {
  it("outside their team namespaces: no write and no Secret access for a Member or a Manager", async () => {
    for (const token of [member, manager]) {
      for (const ns of [otherNs, OPERATOR_NAMESPACE, "kube-system", "default"]) {
        const rules = await canIList(noCredentials, [`--token=${token.value}`], ns);
        expect(writeRules(rules), `${ns}`).toEqual([]);
        expect(secretRules(rules), `${ns}`).toEqual([]);
      }
    }
  });

  it("inside the team namespace: the Manager writes workloads but no Secrets, the Member only reads", async () => {
    const managerRules = await canIList(noCredentials, [`--token=${manager.value}`], teamNs);
    const writes = writeRules(managerRules).map((rule) => rule.resource);
    expect(writes).toEqual(expect.arrayContaining(["pods", "deployments.apps", "jobs.batch"]));
    expect(secretRules(managerRules)).toEqual([]);
    for (const forbidden of ["serviceaccounts", "rolebindings.rbac.authorization.k8s.io"]) {
      expect(writes).not.toContain(forbidden);
    }
    const memberRules = await canIList(noCredentials, [`--token=${member.value}`], teamNs);
    expect(writeRules(memberRules)).toEqual([]);
    expect(secretRules(memberRules)).toEqual([]);
    expect(memberRules.find((rule) => rule.resource === "pods")?.verbs).toEqual(
      expect.arrayContaining(["get", "list", "watch"]),
    );
  });
});

describe("inside its team namespace", () => {
  it("a Manager creates a Deployment and a Pod", async () => {
    const deployment = await as(manager, [
      "create",
      "deployment",
      "web",
      "--image=registry.k8s.io/pause:3.10",
      "-n",
      teamNs,
    ]);
    expect(deployment).toMatchObject({ code: 0, stdout: "deployment.apps/web created\n" });
    const created = await as(manager, ["create", "-n", teamNs, "-f", "-"], pod("by-manager"));
    expect(created).toMatchObject({ code: 0, stdout: "pod/by-manager created\n" });
  });

  it("a Member reads but cannot create or delete", async () => {
    expect(await as(member, ["get", "pods", "-n", teamNs])).toMatchObject({ code: 0 });
    expect(await canI(member, teamNs, "create", "pods")).toBe("no");
    expect(await canI(member, teamNs, "delete", "pods")).toBe("no");
    expect(await canI(member, teamNs, "create", "deployments.apps")).toBe("no");
    expectRefused(
      await as(member, ["create", "-n", teamNs, "-f", "-"], pod("by-member")),
      `cannot create resource "pods"`,
    );
  });
});

describe("admission of delivery tokens in team namespaces", () => {
  it("refuses an Admin user's token, saying what, why and what to do", async () => {
    const error = await rejectionOf(
      run.createToken(run.admin, teamNs, "admin", { serviceUser: adminUser }),
    );
    expectForbidden(
      error,
      admissionDenial(
        `ServiceToken ${teamNs}/admin cannot be created: namespace ${teamNs} belongs to team ` +
          `"${team}" (label team.svctokens.dev/<team>), whose Managers can mount its Secrets ` +
          `in Pods, and ServiceUser "${adminUser}" is an Admin, more than they may do`,
      ),
    );
    expect((error as Error).message).toContain(
      "Create the token in a namespace without team labels, or generate the value yourself " +
        "and set spec.tokenHash (no Secret is written)",
    );
  });

  it("allows the Admin user's token where no team works, and a Member's in its team's namespace", async () => {
    await run.createToken(run.admin, otherNs, "admin", { serviceUser: adminUser });
    await run.createToken(run.admin, teamNs, "member-2", { serviceUser: memberUser });
    await run.delivered(teamNs, "member-2");
  });
});

describe("a role change that would expose a delivery token", () => {
  it("is refused while the user's token sits in a team namespace", async () => {
    const error = await rejectionOf(run.admin.patchUser(memberUser, { role: "Admin" }));
    expectForbidden(
      error,
      admissionDenial(
        `ServiceUser ${memberUser} cannot get this role and these teams: its tokens ` +
          `${teamNs}/member, ${teamNs}/member-2 have delivery Secrets in team namespaces`,
      ),
    );
    expect((await run.admin.user(memberUser))?.spec?.role).toBe("Member");
  });
});

describe("team labels on protected namespaces and their removal", () => {
  it("never binds in kube-system or the operator's namespace, and says why in a Warning Event", async () => {
    for (const ns of ["kube-system", OPERATOR_NAMESPACE]) {
      await labelNamespace(ns, { [teamLabel()]: "" });
      const event = await eventually(`a Warning Event about ${ns}`, async () =>
        (await run.admin.events("default")).find(
          (e) =>
            e.reason === "TeamBindingRefused" &&
            e.regarding.name === ns &&
            String(e.note).includes(`"${team}"`),
        ),
      );
      expect(event).toMatchObject({ type: "Warning", regarding: { kind: "Namespace", name: ns } });
      expect(String(event.note)).toContain(`No RoleBindings for team "${team}" in namespace ${ns}`);
      await run.controller!.whenIdle();
      expect(await teamBindings(ns)).toEqual([]);
      expect(await canI(manager, ns, "create", "pods")).toBe("no");
      await labelNamespace(ns, { [teamLabel()]: null });
    }
  });

  it("warns when a namespace labelled later holds a token worth more than the team's Managers", async () => {
    // otherNs holds the Admin user's token (created above while otherNs had no team).
    await labelNamespace(otherNs, { [teamLabel()]: "" });
    try {
      const event = await run.admin.eventAbout("default", otherNs, "DeliveryTokenExposed");
      expect(event).toMatchObject({ type: "Warning" });
      expect(String(event.note)).toContain(`ServiceTokens admin in namespace ${otherNs}`);
    } finally {
      await labelNamespace(otherNs, { [teamLabel()]: null });
    }
  });

  it("removes the bindings when the label goes, and the Manager loses the namespace", async () => {
    await labelNamespace(teamNs, { [teamLabel()]: null });
    await eventually("the team bindings to be removed", async () =>
      (await teamBindings(teamNs)).length === 0 ? true : undefined,
    );
    await eventually("RBAC to refuse the Manager", async () =>
      (await canI(manager, teamNs, "create", "pods")) === "no" ? true : undefined,
    );
    expect(await canI(member, teamNs, "get", "pods")).toBe("no");
  });
});
