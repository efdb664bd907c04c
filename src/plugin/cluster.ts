// The cluster as the plugin sees it: kubectl's connection flags (--kubeconfig, --context,
// -n/--namespace, -A, and KUBECONFIG through client-node) turned into a REST client, and the
// reads and writes every command shares. Objects stay plain JSON: status fields newer than
// this plugin's schemas (rotation) are shown, not stripped.
import type { KubeConfig } from "@kubernetes/client-node";
import {
  SERVICE_TOKENS,
  SERVICE_USERS,
  type ServiceToken,
  type ServiceTokenStatus,
  type ServiceUser,
} from "../api/index.ts";
import { clientIdentity } from "../k8s/client-identity.ts";
import { KubeApiError } from "../k8s/errors.ts";
import { resourcePath, withQuery } from "../k8s/paths.ts";
import { KubeRest, PATCH } from "../k8s/rest.ts";
import { PluginError } from "./errors.ts";

/** The fields token rotation adds to a ServiceToken's status (shown when present). */
export interface RotationStatus {
  currentValueCreatedAt?: string;
  previousValueExpiresAt?: string;
  rotations?: number;
}

/** A ServiceToken as read from the API server. */
export type TokenObject = ServiceToken & { status?: ServiceTokenStatus & RotationStatus };

/** kubectl's connection flags. */
export interface ConnectionFlags {
  kubeconfig?: string | undefined;
  context?: string | undefined;
  namespace?: string | undefined;
  allNamespaces?: boolean | undefined;
}

/** Who the plugin is to the API server: User-Agent and field manager. */
export const PLUGIN_CLIENT = clientIdentity("kubectl-svctokens");

/** The connection flags resolved: the KubeConfig, the namespace, a REST client. */
export class Cluster {
  readonly rest: KubeRest;
  /** -n, else the context's namespace, else `default`. */
  readonly namespace: string;
  readonly allNamespaces: boolean;

  /** Loads the kubeconfig (client-node is loaded only by commands that talk to the cluster). */
  static async connect(flags: ConnectionFlags): Promise<Cluster> {
    const { loadKubeConfig } = await import("../k8s/kubeconfig.ts");
    return new Cluster(loadConfigFor(flags, loadKubeConfig), flags);
  }

  private constructor(kubeConfig: KubeConfig, flags: ConnectionFlags) {
    this.rest = new KubeRest(kubeConfig, { identity: PLUGIN_CLIENT });
    const context = kubeConfig.getContextObject(kubeConfig.getCurrentContext());
    this.namespace = flags.namespace ?? context?.namespace ?? "default";
    this.allNamespaces = flags.allNamespaces === true;
  }

  close(): void {
    this.rest.close();
  }

  async token(name: string, namespace = this.namespace): Promise<TokenObject> {
    return this.rest.request("GET", resourcePath(SERVICE_TOKENS, { namespace, name }));
  }

  /** Tokens of the namespace, or of every namespace with -A (or `everywhere`). */
  async tokens(everywhere = this.allNamespaces): Promise<TokenObject[]> {
    const path = resourcePath(SERVICE_TOKENS, everywhere ? {} : { namespace: this.namespace });
    return (await this.rest.request<{ items: TokenObject[] }>("GET", path)).items;
  }

  async createToken(token: TokenObject): Promise<TokenObject> {
    const namespace = token.metadata.namespace ?? this.namespace;
    return this.rest.request("POST", resourcePath(SERVICE_TOKENS, { namespace }), token);
  }

  /**
   * A merge patch of a token. Strict field validation: a field the installed CRD does not know
   * (an older operator) is an error, not silently pruned.
   */
  async patchToken(name: string, patch: object, namespace = this.namespace): Promise<TokenObject> {
    const path = withQuery(resourcePath(SERVICE_TOKENS, { namespace, name }), {
      fieldValidation: "Strict",
    });
    return this.rest.request("PATCH", path, patch, PATCH.merge);
  }

  async deleteToken(name: string, namespace = this.namespace): Promise<void> {
    await this.rest.request("DELETE", resourcePath(SERVICE_TOKENS, { namespace, name }));
  }

  async user(name: string): Promise<ServiceUser> {
    return this.rest.request("GET", resourcePath(SERVICE_USERS, { name }));
  }

  async users(): Promise<ServiceUser[]> {
    return (await this.rest.request<{ items: ServiceUser[] }>("GET", resourcePath(SERVICE_USERS)))
      .items;
  }

  async createUser(user: ServiceUser): Promise<ServiceUser> {
    return this.rest.request("POST", resourcePath(SERVICE_USERS), user);
  }

  async patchUser(name: string, patch: object): Promise<ServiceUser> {
    return this.rest.request("PATCH", resourcePath(SERVICE_USERS, { name }), patch, PATCH.merge);
  }

  /** The Secret's data, decoded (for `generate --deliver --show`). */
  async secretValue(namespace: string, name: string, key: string): Promise<string | undefined> {
    const secret = await this.rest.request<{ data?: Record<string, string> }>(
      "GET",
      `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(name)}`,
    );
    const data = secret.data?.[key];
    return data === undefined ? undefined : Buffer.from(data, "base64").toString("utf8");
  }
}

function loadConfigFor(
  flags: ConnectionFlags,
  loadKubeConfig: (path?: string) => KubeConfig,
): KubeConfig {
  let kubeConfig: KubeConfig;
  try {
    kubeConfig = loadKubeConfig(flags.kubeconfig);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PluginError(
      `cannot load the kubeconfig: ${reason}`,
      "Pass --kubeconfig FILE or set KUBECONFIG.",
    );
  }
  if (flags.context !== undefined) {
    if (!kubeConfig.getContextObject(flags.context)) {
      throw new PluginError(
        `context "${flags.context}" is not in the kubeconfig`,
        `Known contexts: ${kubeConfig.contexts.map((c) => c.name).join(", ") || "none"}.`,
      );
    }
    kubeConfig.setCurrentContext(flags.context);
  }
  if (!kubeConfig.getCurrentCluster()) {
    throw new PluginError(
      "the kubeconfig has no current cluster",
      "Pass --kubeconfig FILE or --context NAME, or set KUBECONFIG.",
    );
  }
  return kubeConfig;
}

/** True when the error is the API server's 404 for the object. */
export function isMissing(error: unknown): boolean {
  return error instanceof KubeApiError && error.status === 404;
}

/** Polls `read` every half second until `done` says yes or `timeoutMs` passes. */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
): Promise<{ value: T; timedOut: boolean }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return { value, timedOut: false };
    if (Date.now() >= deadline) return { value, timedOut: true };
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
