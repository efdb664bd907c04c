// The kubeconfig loader both processes use instead of client-node's: against a real HTTPS
// server, with the kinds of kubeconfig users it serves itself and one it hands to client-node.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { loadClusterAccess } from "../../../src/k8s/cluster-access.ts";
import { KubeRest } from "../../../src/k8s/rest.ts";
import {
  sendJson,
  startFakeApiServer,
  writeTestFile,
  type FakeApiServer,
} from "./fake-api-server.ts";

let fake: FakeApiServer;

beforeEach(async () => {
  fake = await startFakeApiServer();
  fake.handle = (_req, res) => sendJson(res, 200, { kind: "Status", status: "Success" });
});

afterEach(async () => {
  await fake.stop();
});

const b64 = (text: string): string => Buffer.from(text).toString("base64");

/** A kubeconfig file whose current context points at the fake server as `user`. */
async function kubeconfigFile(
  user: Record<string, unknown>,
  cluster: Record<string, unknown> = { "certificate-authority-data": b64(fake.caPem) },
): Promise<string> {
  const file = {
    apiVersion: "v1",
    kind: "Config",
    "current-context": "fake",
    contexts: [
      { name: "other", context: { cluster: "none", user: "none" } },
      { name: "fake", context: { cluster: "fake", user: "fake-user" } },
    ],
    clusters: [{ name: "fake", cluster: { server: fake.url, ...cluster } }],
    users: [{ name: "fake-user", user }],
  };
  return writeTestFile(fake, "kubeconfig", stringify(file));
}

async function get(rest: KubeRest): Promise<void> {
  await rest.request("GET", "/api/v1/namespaces");
}

describe("loadClusterAccess", () => {
  it("serves a client certificate given inline, against a CA given inline", async () => {
    const client = await fake.issueClient("inline-client");
    const path = await kubeconfigFile({
      "client-certificate-data": b64(client.certPem),
      "client-key-data": b64(client.keyPem),
    });
    const access = loadClusterAccess({ kubeconfig: path });
    expect(access.getCurrentCluster()?.server).toBe(fake.url);
    await get(new KubeRest(access));
    expect(fake.requests[0]?.clientName).toBe("inline-client");
    expect(fake.requests[0]?.headers.authorization).toBeUndefined();
  });

  it("reads files relative to the kubeconfig, and a token file again on every apply", async () => {
    const client = await fake.issueClient("file-client");
    await writeTestFile(fake, "ca.crt", fake.caPem);
    await writeTestFile(fake, "client.crt", client.certPem);
    await writeTestFile(fake, "client.key", client.keyPem);
    await writeTestFile(fake, "token", "token-one\n");
    const path = await kubeconfigFile(
      { "client-certificate": "client.crt", "client-key": "client.key", tokenFile: "token" },
      { "certificate-authority": "ca.crt" },
    );
    const access = loadClusterAccess({ kubeconfig: path });
    await get(new KubeRest(access));
    await writeTestFile(fake, "token", "token-two\n");
    await get(new KubeRest(access));
    expect(fake.requests.map((req) => [req.clientName, req.headers.authorization])).toEqual([
      ["file-client", "Bearer token-one"],
      ["file-client", "Bearer token-two"],
    ]);
  });

  it("sends an inline token, and skips verification only when the kubeconfig says so", async () => {
    const verified = loadClusterAccess({
      kubeconfig: await kubeconfigFile({ token: "inline-token" }, {}),
    });
    await expect(get(new KubeRest(verified))).rejects.toThrow();
    const unverified = loadClusterAccess({
      kubeconfig: await kubeconfigFile(
        { token: "inline-token" },
        { "insecure-skip-tls-verify": true },
      ),
    });
    await get(new KubeRest(unverified));
    expect(fake.requests.map((req) => req.headers.authorization)).toEqual(["Bearer inline-token"]);
  });

  it("hands a user with an exec plugin to client-node", async () => {
    const credential = {
      apiVersion: "client.authentication.k8s.io/v1",
      kind: "ExecCredential",
      status: { token: "exec-token" },
    };
    const path = await kubeconfigFile({
      exec: {
        apiVersion: "client.authentication.k8s.io/v1",
        command: process.execPath,
        args: ["-e", `process.stdout.write(${JSON.stringify(JSON.stringify(credential))})`],
        interactiveMode: "Never",
      },
    });
    await get(new KubeRest(loadClusterAccess({ kubeconfig: path })));
    expect(fake.requests[0]?.headers.authorization).toBe("Bearer exec-token");
  });

  it("refuses fields it does not apply (impersonation, basic auth) instead of dropping them", async () => {
    const impersonating = await kubeconfigFile({ token: "t", as: "system:admin" });
    expect(() => loadClusterAccess({ kubeconfig: impersonating })).toThrow(
      /sets as on its current user, which svctokens does not apply; use a client certificate/,
    );
    const basic = await kubeconfigFile({ username: "ada", password: "pw" });
    expect(() => loadClusterAccess({ kubeconfig: basic })).toThrow(/sets username, password/);
  });

  it("in a pod, reaches the API server the kubelet names (an IPv6 address in brackets)", () => {
    const access = loadClusterAccess({ serviceHost: "fd00::1", servicePort: "443" });
    expect(access.getCurrentCluster()?.server).toBe("https://[fd00::1]:443");
    const named = loadClusterAccess({ serviceHost: "10.96.0.1", servicePort: "6443" });
    expect(named.getCurrentCluster()?.server).toBe("https://10.96.0.1:6443");
  });

  it("says which kubeconfig has no current cluster", async () => {
    const path = await writeTestFile(fake, "empty", "apiVersion: v1\nkind: Config\n");
    expect(() => loadClusterAccess({ kubeconfig: path })).toThrow(`${path} has no current cluster`);
  });

  it("merges a KUBECONFIG list as kubectl does: first file wins, paths relative to their own file", async () => {
    const client = await fake.issueClient("merged-client");
    // The first file names the context and holds the user (files beside it); a later file holds
    // the cluster, a decoy user of the same name, and another current context (ignored).
    await writeTestFile(fake, "user/client.crt", client.certPem);
    await writeTestFile(fake, "user/client.key", client.keyPem);
    await writeTestFile(fake, "cluster/ca.crt", fake.caPem);
    const first = await writeTestFile(
      fake,
      "user/config",
      stringify({
        "current-context": "merged",
        contexts: [{ name: "merged", context: { cluster: "far", user: "me" } }],
        users: [
          { name: "me", user: { "client-certificate": "client.crt", "client-key": "client.key" } },
        ],
      }),
    );
    const second = await writeTestFile(
      fake,
      "cluster/config",
      stringify({
        "current-context": "elsewhere",
        clusters: [
          { name: "far", cluster: { server: fake.url, "certificate-authority": "ca.crt" } },
        ],
        users: [{ name: "me", user: { token: "decoy" } }],
      }),
    );
    const missing = `${fake.dir}/does-not-exist`;
    const access = loadClusterAccess({ kubeconfig: [missing, first, "", second].join(":") });
    await get(new KubeRest(access));
    expect(fake.requests[0]?.clientName).toBe("merged-client");
    expect(fake.requests[0]?.headers.authorization).toBeUndefined();
    expect(() => loadClusterAccess({ kubeconfig: `${missing}:${missing}2` })).toThrow(
      "none of the kubeconfig files exists",
    );
  });

  it("hands a merged list whose user runs an exec plugin to client-node, merged the same way", async () => {
    const credential = {
      apiVersion: "client.authentication.k8s.io/v1",
      kind: "ExecCredential",
      status: { token: "merged-exec-token" },
    };
    const first = await writeTestFile(
      fake,
      "exec-first",
      stringify({
        "current-context": "merged",
        contexts: [{ name: "merged", context: { cluster: "far", user: "runner" } }],
        users: [
          {
            name: "runner",
            user: {
              exec: {
                apiVersion: "client.authentication.k8s.io/v1",
                command: process.execPath,
                args: ["-e", `process.stdout.write(${JSON.stringify(JSON.stringify(credential))})`],
                interactiveMode: "Never",
              },
            },
          },
        ],
      }),
    );
    const second = await writeTestFile(
      fake,
      "exec-second",
      stringify({
        "current-context": "elsewhere",
        contexts: [{ name: "merged", context: { cluster: "none", user: "none" } }],
        clusters: [
          {
            name: "far",
            cluster: { server: fake.url, "certificate-authority-data": b64(fake.caPem) },
          },
        ],
        users: [{ name: "runner", user: { token: "decoy" } }],
      }),
    );
    await get(new KubeRest(loadClusterAccess({ kubeconfig: `${first}:${second}` })));
    expect(fake.requests[0]?.headers.authorization).toBe("Bearer merged-exec-token");
  });
});
