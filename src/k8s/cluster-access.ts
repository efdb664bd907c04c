// How the controller and the webhook reach the API server: one cluster, its CA, and a client
// certificate or a bearer token (in a pod: the ServiceAccount's, read again as it rotates).
// @kubernetes/client-node's KubeConfig does this and much more, but importing it loads its
// generated API (~25 MB of heap and ~60 MB RSS per process, docs/decisions.md record 72), so the
// processes load kubeconfigs here and import client-node only for what only it does: a user
// with an exec plugin or an auth provider.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { isIPv6 } from "node:net";
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import type { RequestOptions } from "node:https";

/** What KubeRest needs of a kubeconfig; client-node's KubeConfig is one too. */
export interface ClusterAccess {
  getCurrentCluster(): { readonly server: string } | null;
  /** Sets TLS material and authentication headers, read afresh (files may have rotated). */
  applyToHTTPSOptions(options: RequestOptions): Promise<void>;
}

/** Where the credentials come from; the first that applies wins. */
export interface ClusterAccessSource {
  /** A kubeconfig file (KUBECONFIG). */
  kubeconfig?: string | undefined;
  /** KUBERNETES_SERVICE_HOST and _PORT, set by the kubelet in every pod. */
  serviceHost?: string | undefined;
  servicePort?: string | undefined;
}

const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/** A file or inline (base64) value of a kubeconfig entry, read when applied. */
interface Material {
  file?: string | undefined;
  data?: string | undefined;
}

/** The parts of one cluster and user that this loader serves. */
export interface ClusterAccessSpec {
  server: string;
  ca?: Material;
  cert?: Material;
  key?: Material;
  token?: string | undefined;
  tokenFile?: string | undefined;
  skipTLSVerify?: boolean;
  tlsServerName?: string | undefined;
}

/**
 * The kubeconfig file if named, else the pod's ServiceAccount when running in a pod, else
 * ~/.kube/config. Unlike client-node's loadFromDefault, a pod's ServiceAccount comes before a
 * ~/.kube/config, and several KUBECONFIG files are not merged (the operator names one).
 */
export function loadClusterAccess(source: ClusterAccessSource): ClusterAccess {
  if (source.kubeconfig) return fromKubeconfigFile(source.kubeconfig);
  if (source.serviceHost && source.servicePort) {
    const host = isIPv6(source.serviceHost) ? `[${source.serviceHost}]` : source.serviceHost;
    return new FileClusterAccess({
      server: `https://${host}:${source.servicePort}`,
      ca: { file: join(SERVICE_ACCOUNT_DIR, "ca.crt") },
      tokenFile: join(SERVICE_ACCOUNT_DIR, "token"),
    });
  }
  return fromKubeconfigFile(join(homedir(), ".kube", "config"));
}

/** Credentials as a kubeconfig's cluster and user give them: files re-read on every apply. */
export class FileClusterAccess implements ClusterAccess {
  readonly #spec: ClusterAccessSpec;

  constructor(spec: ClusterAccessSpec) {
    this.#spec = spec;
  }

  getCurrentCluster(): { readonly server: string } {
    return { server: this.#spec.server };
  }

  applyToHTTPSOptions(options: RequestOptions): Promise<void> {
    const spec = this.#spec;
    if (spec.skipTLSVerify) options.rejectUnauthorized = false;
    if (spec.tlsServerName) options.servername = spec.tlsServerName;
    const ca = read(spec.ca);
    if (ca) options.ca = ca;
    const cert = read(spec.cert);
    if (cert) options.cert = cert;
    const key = read(spec.key);
    if (key) options.key = key;
    const token = spec.tokenFile ? readFileSync(spec.tokenFile, "utf8").trim() : spec.token;
    if (token) options.headers = { ...options.headers, Authorization: `Bearer ${token}` };
    return Promise.resolve();
  }
}

function read(material: Material | undefined): Buffer | undefined {
  if (material?.data) return Buffer.from(material.data, "base64");
  return material?.file ? readFileSync(material.file) : undefined;
}

type Named<T> = { name?: string } & T;
interface KubeconfigFile {
  "current-context"?: string;
  contexts?: Named<{ context?: { cluster?: string; user?: string } }>[];
  clusters?: Named<{ cluster?: Record<string, unknown> }>[];
  users?: Named<{ user?: Record<string, unknown> }>[];
}

/** The kubeconfig fields this loader applies (`extensions` only informs); exec and auth providers go to client-node. */
const USER_FIELDS = new Set([
  "client-certificate",
  "client-certificate-data",
  "client-key",
  "client-key-data",
  "token",
  "tokenFile",
  "extensions",
]);
const CLUSTER_FIELDS = new Set([
  "server",
  "certificate-authority",
  "certificate-authority-data",
  "insecure-skip-tls-verify",
  "tls-server-name",
  "extensions",
]);

/**
 * Refuses a kubeconfig entry with a field this loader does not apply (impersonation, basic auth,
 * a proxy: neither did client-node's options as the REST client used them) rather than dropping
 * it silently: a dropped `as:` would act as another identity than the one configured.
 */
function refuseUnapplied(
  path: string,
  what: "user" | "cluster",
  entry: Record<string, unknown>,
  fields: ReadonlySet<string>,
): void {
  const unapplied = Object.keys(entry).filter((field) => !fields.has(field));
  if (unapplied.length === 0) return;
  throw new Error(
    `the kubeconfig ${path} sets ${unapplied.join(", ")} on its current ${what}, which svctokens does not apply; ` +
      `use a client certificate, a token, a token file or an exec plugin (supported ${what} fields: ${[...fields].join(", ")})`,
  );
}

/** The current context of a kubeconfig file, served here or, if it needs them, by client-node. */
export function fromKubeconfigFile(path: string): ClusterAccess {
  // `yaml` is loaded only here: a pod reads no kubeconfig file.
  const { parse } = createRequire(import.meta.url)("yaml") as typeof import("yaml");
  const file = (parse(readFileSync(path, "utf8")) ?? {}) as KubeconfigFile;
  const context = file.contexts?.find((entry) => entry.name === file["current-context"])?.context;
  const cluster = file.clusters?.find((entry) => entry.name === context?.cluster)?.cluster;
  const user = file.users?.find((entry) => entry.name === context?.user)?.user ?? {};
  if (typeof cluster?.server !== "string") {
    throw new Error(`the kubeconfig ${path} has no current cluster`);
  }
  if (user.exec !== undefined || user["auth-provider"] !== undefined) {
    return new ClientNodeClusterAccess(path, cluster.server);
  }
  refuseUnapplied(path, "user", user, USER_FIELDS);
  refuseUnapplied(path, "cluster", cluster, CLUSTER_FIELDS);
  const text = (entry: Record<string, unknown>, field: string): string | undefined => {
    const value = entry[field];
    return typeof value === "string" ? value : undefined;
  };
  // Relative file paths in a kubeconfig are relative to the file.
  const local = (file: string | undefined): string | undefined =>
    file === undefined || isAbsolute(file) ? file : join(dirname(path), file);
  const material = (entry: Record<string, unknown>, field: string): Material => ({
    file: local(text(entry, field)),
    data: text(entry, `${field}-data`),
  });
  return new FileClusterAccess({
    server: cluster.server,
    ca: material(cluster, "certificate-authority"),
    cert: material(user, "client-certificate"),
    key: material(user, "client-key"),
    token: text(user, "token"),
    tokenFile: local(text(user, "tokenFile")),
    skipTLSVerify: cluster["insecure-skip-tls-verify"] === true,
    tlsServerName: text(cluster, "tls-server-name"),
  });
}

/** A kubeconfig whose user runs an exec plugin or an auth provider: client-node, loaded late. */
class ClientNodeClusterAccess implements ClusterAccess {
  readonly #path: string;
  readonly #server: string;
  #loaded: Promise<ClusterAccess> | undefined;

  constructor(path: string, server: string) {
    this.#path = path;
    this.#server = server;
  }

  getCurrentCluster(): { readonly server: string } {
    return { server: this.#server };
  }

  async applyToHTTPSOptions(options: RequestOptions): Promise<void> {
    this.#loaded ??= import("@kubernetes/client-node").then(({ KubeConfig }) => {
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromFile(this.#path);
      return kubeConfig;
    });
    await (await this.#loaded).applyToHTTPSOptions(options);
  }
}
