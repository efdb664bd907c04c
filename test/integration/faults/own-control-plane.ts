// A control plane of the test file's own, for fault tests that stop and restart its etcd or
// kube-apiserver (the shared one must stay up for every other file), with the operator
// installed from deploy/ and running on it under its own identities.
import { readFile } from "node:fs/promises";
import { Agent } from "node:https";
import { Writable } from "node:stream";
import type { Controller } from "../../../src/controller/controller.ts";
import { LocalControlPlane } from "../../../src/devenv/controlplane.ts";
import {
  startLocalController,
  startLocalWebhook,
  type LocalWebhook,
} from "../../../src/devenv/local-operator.ts";
import { resourcePath } from "../../../src/k8s/paths.ts";
import { SERVICE_TOKENS } from "../../../src/api/index.ts";
import { createLogger } from "../../../src/log.ts";
import { loadCertificateAuthority } from "../../../src/tls/pki.ts";
import { eventually, uniqueSuffix } from "../support/cluster.ts";
import { installCrds, installOperatorRbac } from "../support/operator.ts";
import { Api, secretValue } from "../support/resources.ts";
import { authenticateDirect, verifyDirect } from "../webhook/webhook-http.ts";
import { installWebhookRbac } from "../webhook/webhook-support.ts";

/** The operator on a control plane of its own. */
/** The parts of a running operator on its own control plane. */
interface Parts {
  controlPlane: LocalControlPlane;
  admin: Api;
  webhook: LocalWebhook;
  controller: Controller;
  agent: Agent;
  webhookLog: string[];
}

export class OperatorOnOwnControlPlane {
  readonly controlPlane: LocalControlPlane;
  /** The cluster admin of this control plane. */
  readonly admin: Api;
  readonly webhook: LocalWebhook;
  readonly controller: Controller;
  /** Presents a client certificate of this control plane's CA, as kube-apiserver does. */
  readonly agent: Agent;
  /** The webhook service's log lines (JSON), to see what its caches went through. */
  readonly webhookLog: string[];

  private constructor(parts: Parts) {
    this.controlPlane = parts.controlPlane;
    this.admin = parts.admin;
    this.webhook = parts.webhook;
    this.controller = parts.controller;
    this.agent = parts.agent;
    this.webhookLog = parts.webhookLog;
  }

  static async start(): Promise<OperatorOnOwnControlPlane> {
    const controlPlane = await LocalControlPlane.start({ readyTimeoutMs: 240_000 });
    try {
      const { info } = controlPlane;
      await installCrds(info.adminKubeconfig);
      await installOperatorRbac(info.adminKubeconfig);
      await installWebhookRbac(info.adminKubeconfig);
      const lines: string[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done): void {
          lines.push(...chunk.toString().split("\n").filter(Boolean));
          done();
        },
      });
      const webhook = await startLocalWebhook(info, { log: createLogger("info", sink) });
      const controller = await startLocalController(info, { log: createLogger("silent") });
      // kube-apiserver's client certificate: the dedicated webhook client CA, the pinned name.
      const ca = await loadCertificateAuthority(
        await readFile(info.webhookClientCaCertFile, "utf8"),
        await readFile(info.webhookClientCaKeyFile, "utf8"),
      );
      const client = await ca.issue({ usage: "client", commonName: info.webhookClientCommonName });
      const agent = new Agent({ ca: webhook.caPem, cert: client.certPem, key: client.keyPem });
      return new OperatorOnOwnControlPlane({
        controlPlane,
        admin: new Api(info.adminKubeconfig),
        webhook,
        controller,
        agent,
        webhookLog: lines,
      });
    } catch (error) {
      await controlPlane.stop();
      throw error;
    }
  }

  async stop(): Promise<void> {
    this.agent.destroy();
    await this.webhook.stop();
    await this.controller.stop();
    this.admin.rest.close();
    await this.controlPlane.stop();
  }

  /** Whether kube-apiserver (and, through its readiness, etcd) serves. */
  async apiServerReady(): Promise<boolean> {
    return this.admin.rest.requestText("GET", "/readyz").then(
      () => true,
      () => false,
    );
  }

  /** What the webhook service answers for `token` at /authenticate and at /verify. */
  async authenticates(token: string): Promise<{ authenticate: boolean; verify: number }> {
    const review = await authenticateDirect(this.webhook, token, this.agent);
    const verified = await verifyDirect(this.webhook, token, this.agent);
    return { authenticate: review.authenticated, verify: verified.status };
  }

  /** A new namespace. */
  async namespace(prefix: string): Promise<string> {
    const name = `${prefix}-${uniqueSuffix()}`;
    await this.admin.rest.request("POST", "/api/v1/namespaces", { metadata: { name } });
    return name;
  }

  /** Creates a token and waits until it is Active and its value delivered; returns the value. */
  async issueToken(
    namespace: string,
    name: string,
    serviceUser: string,
    timeoutMs = 60_000,
  ): Promise<string> {
    // Retried: right after a restart the first request may meet a closed connection.
    await eventually(
      `ServiceToken ${namespace}/${name} to be created`,
      async () => {
        const existing = await this.admin.token(namespace, name);
        return existing ?? (await this.admin.createToken(namespace, name, { serviceUser }));
      },
      timeoutMs,
    );
    return eventually(
      `the value of ServiceToken ${namespace}/${name}`,
      async () => {
        const token = await this.admin.rest.request<{
          status?: { phase?: string; secretName?: string };
        }>("GET", resourcePath(SERVICE_TOKENS, { namespace, name }));
        if (token.status?.phase !== "Active" || token.status.secretName === undefined)
          return undefined;
        return secretValue(await this.admin.secret(namespace, token.status.secretName), "token");
      },
      timeoutMs,
    );
  }
}
