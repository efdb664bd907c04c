// One test file's operator on the shared control plane: its own controller and webhook service
// (under their own identities), admission scoped to the file's labelled objects, helpers that
// label what they create, and a teardown in the order that never leaves anything stuck.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino, type Logger } from "pino";
import type { Controller } from "../../../src/controller/controller.ts";
import type { Clock } from "../../../src/k8s/clock.ts";
import type { LifecycleSettings } from "../../../src/controller/lifecycle/decide.ts";
import { resourcePath } from "../../../src/k8s/paths.ts";
import { PATCH } from "../../../src/k8s/rest.ts";
import { SERVICE_TOKENS, SERVICE_USERS } from "../../../src/api/index.ts";
import {
  addUser,
  controlPlane,
  retireNamespace,
  eventually,
  newNamespace,
  uniqueSuffix,
} from "../support/cluster.ts";
import { startController } from "../support/controller.ts";
import { kubectl } from "../support/kubectl.ts";
import { installCrds, installOperatorRbac } from "../support/operator.ts";
import { Api, secretValue, type TestObject } from "../support/resources.ts";
import {
  registerScopedAdmission,
  startTestWebhook,
  type TestWebhook,
  type TestWebhookOptions,
} from "./webhook-support.ts";

/** The label that scopes admission (and clean-up) to one test file's objects. */
export const RUN_LABEL = "svctokens.dev/test-run";

/** How a file wants its operator. */
export interface WebhookRunOptions extends TestWebhookOptions {
  clock?: Clock;
  lastUsedFlushMs?: number;
  log?: Logger;
  /** The controller's lifecycle policies (shipped defaults otherwise). */
  lifecycle?: LifecycleSettings;
  /** Also register the mutating webhook (/mutate) for the file, as the manifests ship it. */
  mutatingAdmission?: boolean;
}

/** A token's value as its delivery Secret holds it, and its public id. */
export interface DeliveredToken {
  value: string;
  tokenId: string;
}

export class WebhookRun {
  readonly run = uniqueSuffix();
  readonly labels: Record<string, string> = { [RUN_LABEL]: this.run };
  /** The cluster admin (system:masters): an svctokens Admin too. */
  readonly admin = new Api();
  webhook: TestWebhook | undefined;
  controller: Controller | undefined;
  dir = "";
  readonly #namespaces: string[] = [];
  #unregister: (() => Promise<void>) | undefined;

  /** Installs the operator's CRDs and RBAC, starts both processes, waits for admission. */
  static async start(options: WebhookRunOptions = {}): Promise<WebhookRun> {
    const run = new WebhookRun();
    try {
      await run.#start(options);
    } catch (error) {
      // Never leave a service on the authenticator's port, or a registration, to the next file.
      await run.stop().catch(() => undefined);
      throw error;
    }
    return run;
  }

  async #start(options: WebhookRunOptions): Promise<void> {
    await installCrds();
    await installOperatorRbac();
    this.dir = await mkdtemp(join(tmpdir(), "svctokens-webhook-it-"));
    const log = options.log ?? pino({ level: "silent" });
    this.webhook = await startTestWebhook(log, options.lastUsedFlushMs ?? 1000, options);
    this.#unregister = await registerScopedAdmission(this.webhook, RUN_LABEL, this.run, {
      mutating: options.mutatingAdmission ?? false,
    });
    this.controller = await startController({
      log,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.lifecycle ? { lifecycle: options.lifecycle } : {}),
    });
    // The registration reaches kube-apiserver's admission chain within a moment: probe with a
    // dry-run create that only the webhook refuses (its ServiceUser is deactivated; a user that
    // does not exist yet would be admitted: the token waits for it).
    const probeUser = `probe-${this.run}`;
    await this.createUser(this.admin, probeUser, { role: "Member", active: false });
    const probe = `${resourcePath(SERVICE_TOKENS, { namespace: "default" })}?dryRun=All`;
    await eventually("the admission webhook to be called", async () => {
      const error = await this.admin.rest
        .request("POST", probe, {
          apiVersion: "svctokens.dev/v1alpha1",
          kind: "ServiceToken",
          metadata: { name: `probe-${this.run}`, labels: this.labels },
          spec: { serviceUser: probeUser },
        })
        .then(() => undefined)
        .catch((e: unknown) => e);
      return error instanceof Error && error.message.includes("is deactivated") ? true : undefined;
    });
  }

  /** The running webhook service (throws before start). */
  get service(): TestWebhook {
    if (!this.webhook) throw new Error("the webhook service is not running");
    return this.webhook;
  }

  /** A namespace of this run, deleted at teardown. */
  async namespace(prefix: string): Promise<string> {
    const name = await newNamespace(prefix);
    this.#namespaces.push(name);
    return name;
  }

  /**
   * A client-certificate user in `groups`; with `clusterRole`, bound to it cluster-wide (the
   * binding is this run's).
   */
  async person(name: string, clusterRole?: string, groups: string[] = []): Promise<Api> {
    const api = new Api(await addUser({ name, groups }));
    if (clusterRole !== undefined) await this.bind(name, clusterRole);
    return api;
  }

  /** A ClusterRole of `rules` for this run (deleted at teardown); returns its name. */
  async clusterRole(name: string, rules: object[]): Promise<string> {
    await this.#apply({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: `${name}-${this.run}`, labels: this.labels },
      rules,
    });
    return `${name}-${this.run}`;
  }

  /** A ClusterRole that lets its holders write ServiceUsers and ServiceTokens (not `admin`). */
  async writerRole(): Promise<string> {
    return this.clusterRole("svctokens-test-writer", [
      {
        apiGroups: ["svctokens.dev"],
        resources: ["serviceusers", "servicetokens"],
        verbs: ["get", "list", "watch", "create", "update", "patch", "delete"],
      },
    ]);
  }

  /** Binds a user to a ClusterRole and waits until RBAC answers with the binding. */
  async bind(user: string, clusterRole: string): Promise<void> {
    await this.#apply({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: `svctokens-test-${user}`, labels: this.labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterRole },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: user }],
    });
    await eventually(`RBAC to see ${user} bound to ${clusterRole}`, async () => {
      const result = await kubectl(controlPlane().adminKubeconfig, [
        "auth",
        "can-i",
        "create",
        "servicetokens.svctokens.dev",
        `--as=${user}`,
      ]);
      return result.stdout.trim() === "yes" ? true : undefined;
    });
  }

  async createUser(as: Api, name: string, spec: object): Promise<TestObject> {
    return as.rest.request("POST", resourcePath(SERVICE_USERS), {
      apiVersion: "svctokens.dev/v1alpha1",
      kind: "ServiceUser",
      metadata: { name, labels: this.labels },
      spec,
    });
  }

  async createToken(as: Api, namespace: string, name: string, spec: object): Promise<TestObject> {
    return as.rest.request("POST", resourcePath(SERVICE_TOKENS, { namespace }), {
      apiVersion: "svctokens.dev/v1alpha1",
      kind: "ServiceToken",
      metadata: { name, namespace, labels: this.labels },
      spec,
    });
  }

  /** Waits for the controller to deliver the token's value, and reads it as a workload would. */
  async delivered(namespace: string, name: string): Promise<DeliveredToken> {
    const token = await this.admin.tokenWhere(namespace, name, "Active", (t) => {
      return t.status?.phase === "Active" && t.status.tokenId !== undefined;
    });
    const secretName = (token.status?.secretName as string | undefined) ?? `${name}-token`;
    const value = await eventually(`the value of ${namespace}/${name}`, async () =>
      secretValue(await this.admin.secret(namespace, secretName), "token"),
    );
    return { value, tokenId: String(token.status?.tokenId) };
  }

  /**
   * Deletes the namespaces while the controller runs (tokens carry its finalizer), then the
   * run's ServiceUsers (deactivated first, as admission requires), the admission registration,
   * the webhook service and the controller, and the run's RBAC.
   */
  async stop(): Promise<void> {
    try {
      await Promise.all(this.#namespaces.map((ns) => retireNamespace(ns)));
      await this.#deleteServiceUsers();
    } finally {
      await this.#unregister?.();
      await this.webhook?.stop();
      await this.controller?.stop();
      await kubectl(controlPlane().adminKubeconfig, [
        "delete",
        "clusterrole,clusterrolebinding",
        "-l",
        `${RUN_LABEL}=${this.run}`,
      ]);
      if (this.dir) await rm(this.dir, { recursive: true, force: true });
    }
  }

  async #deleteServiceUsers(): Promise<void> {
    const rest = this.admin.rest;
    const list = `${resourcePath(SERVICE_USERS)}?labelSelector=${RUN_LABEL}%3D${this.run}`;
    // The webhook's cache may still list tokens of a just-deleted namespace: retry.
    await eventually("this run's ServiceUsers to be deleted", async () => {
      const { items } = await rest.request<{ items: TestObject[] }>("GET", list);
      for (const user of items) {
        const path = resourcePath(SERVICE_USERS, { name: user.metadata?.name ?? "" });
        if (user.spec?.active !== false) {
          await rest.request("PATCH", path, { spec: { active: false } }, PATCH.merge);
        }
        await this.admin.delete(path);
      }
      return items.length === 0 ? true : undefined;
    });
  }

  async #apply(object: object): Promise<void> {
    const result = await kubectl(
      controlPlane().adminKubeconfig,
      ["apply", "-f", "-"],
      JSON.stringify(object),
    );
    if (result.code !== 0) throw new Error(`kubectl apply failed: ${result.stderr}`);
  }
}
