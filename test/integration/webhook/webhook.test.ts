// The webhook service against the real control plane: kube-apiserver calls /authenticate for
// bearer tokens and /validate for our objects; the controller generates the tokens. The service
// runs under its own identity with only the RBAC it ships.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../../src/log.ts";
import { resourcePath, SECRETS } from "../../../src/k8s/paths.ts";
import { SERVICE_TOKENS, SERVICE_USERS } from "../../../src/api/index.ts";
import { truncateToSecond } from "../../../src/k8s/time.ts";
import { eventually, newNamespace } from "../support/cluster.ts";
import { kubectl } from "../support/kubectl.ts";
import type { Api } from "../support/resources.ts";
import { authenticateDirect, callWebhook } from "./webhook-http.ts";
import { startWebhookProcess } from "../support/webhook-process.ts";
import { WebhookRun, type DeliveredToken } from "./webhook-run.ts";
import { tokenKubeconfig } from "./webhook-support.ts";

let run: WebhookRun;
let ada: Api; // an Admin by RBAC: group svctokens:role:admin
let eddie: Api; // may write our objects (RBAC) but is not an Admin
let eddieName: string;
let ns: string;
/** What the controller and the webhook service log: no token value may appear. */
const logLines: string[] = [];

async function whoami(
  value: string,
): Promise<{ code: number; user?: Record<string, unknown>; stderr: string }> {
  const kubeconfig = await tokenKubeconfig(run.dir, value);
  const result = await kubectl(kubeconfig, ["auth", "whoami", "-o", "json"]);
  if (result.code !== 0) return { code: result.code, stderr: result.stderr };
  const review = JSON.parse(result.stdout) as { status: { userInfo: Record<string, unknown> } };
  return { code: 0, user: review.status.userInfo, stderr: result.stderr };
}

/** /verify as a gateway calls it: no client certificate, the token as a Bearer header. */
async function verify(
  path: string,
  value: string,
): Promise<{ status: number; user?: string; groups?: string }> {
  const answer = await callWebhook(run.service, {
    path,
    headers: { Authorization: `Bearer ${value}` },
    clientCert: false,
  });
  return {
    status: answer.status,
    user: answer.headers["x-auth-request-user"] as string | undefined,
    groups: answer.headers["x-auth-request-groups"] as string | undefined,
  };
}

beforeAll(async () => {
  run = await WebhookRun.start({
    log: createLogger("debug", { write: (line: string) => void logLines.push(line) }),
  });
  ns = await run.namespace("webhook");
  ada = await run.person(`ada-${run.run}`, undefined, ["svctokens:role:admin"]);
  eddieName = `eddie-${run.run}`;
  eddie = await run.person(eddieName, await run.writerRole());
}, 180_000);

afterAll(async () => {
  await run?.stop();
}, 240_000);

describe("authentication through kube-apiserver", () => {
  let member: DeliveredToken;
  let userName: string;

  beforeAll(async () => {
    userName = `ci-${run.run}`;
    await run.createUser(ada, userName, { role: "Member", teams: ["platform"] });
    await run.createToken(ada, ns, "ci", { serviceUser: userName });
    member = await run.delivered(ns, "ci");
  });

  it("authenticates a workload's token as its Service User, with groups and the token id", async () => {
    const { code, user, stderr } = await whoami(member.value);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(user).toMatchObject({
      username: `${userName}@service`,
      extra: {
        "svctokens.dev/token-id": [member.tokenId],
        "svctokens.dev/token-name": ["ci"],
        "svctokens.dev/token-namespace": [ns],
      },
    });
    expect(user?.groups).toEqual(
      expect.arrayContaining([
        "svctokens:service-users",
        "svctokens:role:member",
        "svctokens:team:platform",
        "svctokens:team:platform:member",
        "system:authenticated",
      ]),
    );
    expect(logLines.join("\n")).not.toContain(member.value);
  });

  it("writes status.lastUsedAt after a use", async () => {
    const before = truncateToSecond(Date.now());
    // kube-apiserver answers a token it authenticated in the last 10 s from its own cache,
    // without asking the webhook: an earlier test's use can hide this one. Use it until the
    // webhook sees a use (an earlier use may already be on status: wait for a later one).
    const token = await eventually(
      "lastUsedAt at or after this use",
      async () => {
        await whoami(member.value);
        const current = await run.admin.token(ns, "ci");
        return Date.parse(String(current?.status?.lastUsedAt)) >= before ? current : undefined;
      },
      30_000,
    );
    expect(Date.parse(String(token.status?.lastUsedAt))).toBeGreaterThanOrEqual(before);
  });

  it("serves from its deployed entry point (node src/webhook/main.ts, environment only)", async () => {
    const webhook = await startWebhookProcess("main");
    try {
      const answer = await authenticateDirect(webhook, member.value);
      expect(answer.authenticated).toBe(true);
      expect(answer.user?.groups).toContain("svctokens:role:member");
      const forged = `${member.value.slice(0, -1)}${member.value.endsWith("A") ? "B" : "A"}`;
      expect((await authenticateDirect(webhook, forged)).authenticated).toBe(false);
    } finally {
      await webhook.stop();
    }
  });

  it("applies a role change to the next request (kube-apiserver may cache for 10 s)", async () => {
    await ada.patchUser(userName, { role: "Manager" });
    // The webhook answers from the spec: the next review after its cache sees the change.
    await eventually("the webhook to answer the Manager role", async () => {
      const answer = await verify("/verify", member.value);
      return answer.groups?.includes("svctokens:role:manager") ? true : undefined;
    });
    // kube-apiserver keeps successful token authentications for 10 s (built in, no flag).
    await eventually(
      "kube-apiserver to see the Manager role",
      async () => {
        const { user } = await whoami(member.value);
        return (user?.groups as string[] | undefined)?.includes("svctokens:role:manager")
          ? true
          : undefined;
      },
      20_000,
    );
  });

  // How fast is a figure (printed here, measured by npm run bench:*), not an assertion.
  it("refuses a revoked token at the webhook and at kube-apiserver (the authorizer)", async () => {
    expect((await whoami(member.value)).code).toBe(0); // a fresh success in kube-apiserver's cache
    await ada.patchToken(ns, "ci", { revoked: true });
    const accepted = performance.now();
    await eventually("the webhook to refuse the revoked token", async () =>
      (await verify("/verify", member.value)).status === 401 ? true : undefined,
    );
    const atWebhook = performance.now() - accepted;
    const refused = await eventually(
      "kube-apiserver to refuse the revoked token",
      async () => {
        const result = await whoami(member.value);
        return result.code !== 0 ? result : undefined;
      },
      20_000,
    );
    const atApiserver = performance.now() - accepted;
    process.stderr.write(
      `[webhook] revocation: webhook refuses after ${Math.round(atWebhook)} ms, ` +
        `kube-apiserver after ${Math.round(atApiserver)} ms (the authorizer does not wait for its cache)\n`,
    );
    // The authorizer's 403 while kube-apiserver still holds the authentication (kubectl words a
    // 403 of `auth whoami` as "you do not have permission"), else 401.
    expect(refused.stderr).toMatch(/you do not have permission|Unauthorized|must be logged in/);
  });

  it("refuses a SCIM token at kube-apiserver and accepts it at /verify?audience=scim", async () => {
    await run.createToken(ada, ns, "scim", { serviceUser: userName, audiences: ["scim"] });
    const scim = await run.delivered(ns, "scim");
    expect((await whoami(scim.value)).code).not.toBe(0);
    expect(await verify("/verify", scim.value)).toMatchObject({ status: 401 });
    expect(await verify("/verify?audience=scim", scim.value)).toMatchObject({
      status: 200,
      user: `${userName}@service`,
    });
  });
});

describe("admission through kube-apiserver", () => {
  const NOT_ADMIN = (action: string): string =>
    `${action} is an Admin action and "${eddieName}" is not an Admin`;

  it("lets only Admins create Service Users", async () => {
    await expect(
      run.createUser(eddie, `eddie-made-${run.run}`, { role: "Member" }),
    ).rejects.toThrow(NOT_ADMIN(`Creating ServiceUser eddie-made-${run.run}`));
    await expect(
      run.createUser(ada, `ada-made-${run.run}`, { role: "Member" }),
    ).resolves.toBeDefined();
  });

  it("runs the token lifecycle rules: revoke before delete, Admins only", async () => {
    const user = `life-${run.run}`;
    await run.createUser(ada, user, { role: "Member" });
    await expect(run.createToken(eddie, ns, "life", { serviceUser: user })).rejects.toThrow(
      NOT_ADMIN(`Creating ServiceToken ${ns}/life`),
    );
    await run.createToken(ada, ns, "life", { serviceUser: user });
    const path = resourcePath(SERVICE_TOKENS, { namespace: ns, name: "life" });
    await expect(ada.rest.request("DELETE", path)).rejects.toThrow(
      `ServiceToken ${ns}/life is Active: revoke it (spec.revoked: true) before deleting it`,
    );
    await expect(ada.patchUser(user, { active: false })).rejects.toThrow(
      `ServiceUser ${user} cannot be deactivated while it has Active tokens (${ns}/life): ` +
        "revoke them (spec.revoked: true) first",
    );
    await expect(
      ada.rest.request("DELETE", resourcePath(SERVICE_USERS, { name: user })),
    ).rejects.toThrow(
      `ServiceUser ${user} is active: deactivate it (spec.active: false) before deleting it`,
    );
    await expect(eddie.patchToken(ns, "life", { revoked: true })).rejects.toThrow(
      NOT_ADMIN(`Revoking ServiceToken ${ns}/life`),
    );
    await ada.patchToken(ns, "life", { revoked: true });
    await ada.patchUser(user, { active: false });
    await ada.rest.request("DELETE", path);
    await ada.rest.request("DELETE", resourcePath(SERVICE_USERS, { name: user }));
  });

  it("lets nobody but the controller write the operator's Secrets, not even cluster-admin", async () => {
    const forged = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: {
        name: `forged-${run.run}`,
        labels: { ...run.labels, "app.kubernetes.io/managed-by": "svctokens" },
      },
      type: "svctokens.dev/token-hash",
      data: {},
    };
    await expect(
      run.admin.rest.request("POST", resourcePath(SECRETS, { namespace: ns }), forged),
    ).rejects.toThrow("so only the svctokens controller may create it");
  });

  it("never holds up deleting a namespace that has Active tokens", async () => {
    const doomed = await newNamespace("webhook-doomed");
    const user = `doomed-${run.run}`;
    await run.createUser(ada, user, { role: "Member" });
    await run.createToken(ada, doomed, "active", { serviceUser: user });
    await run.delivered(doomed, "active");
    await run.admin.delete(`/api/v1/namespaces/${doomed}`);
    await eventually(
      `namespace ${doomed} to be deleted`,
      async () =>
        (await run.admin.rest
          .request("GET", `/api/v1/namespaces/${doomed}`)
          .catch(() => "gone")) === "gone"
          ? true
          : undefined,
      90_000,
    );
  });
});
