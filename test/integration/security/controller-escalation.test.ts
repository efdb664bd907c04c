// The controller's own identity cannot grant what it does not hold: kube-apiserver's RBAC
// escalation check stops it binding edit, admin or cluster-admin (issue 9, finding 1). It needs
// the shipped controller RBAC and a namespace, not a running operator.
import { afterAll, beforeAll, describe, it } from "vitest";
import { resourcePath, ROLE_BINDINGS } from "../../../src/k8s/paths.ts";
import { retireNamespace, newNamespace } from "../support/cluster.ts";
import { controllerKubeconfig, installCrds, installOperatorRbac } from "../support/operator.ts";
import { rejectionOf } from "../api/support.ts";
import { Api } from "../support/resources.ts";
import { expectForbidden } from "../webhook/webhook-support.ts";

let ns: string;

beforeAll(async () => {
  await installCrds();
  await installOperatorRbac();
  ns = await newNamespace("escalation");
});

afterAll(async () => {
  if (ns) await retireNamespace(ns);
});

describe("the controller's own identity", () => {
  it("cannot bind edit or cluster-admin (kube-apiserver's escalation check)", async () => {
    const controller = new Api(await controllerKubeconfig());
    try {
      for (const role of ["edit", "cluster-admin", "admin"]) {
        const error = await rejectionOf(
          controller.rest.request("POST", resourcePath(ROLE_BINDINGS, { namespace: ns }), {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "RoleBinding",
            metadata: { name: `attack-${role}` },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
            subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "x" }],
          }),
        );
        expectForbidden(error, "is attempting to grant RBAC permissions not currently held");
      }
    } finally {
      controller.rest.close();
    }
  });
});
