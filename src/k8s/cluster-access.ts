// How the controller and the webhook reach the API server: one cluster, its CA, and a client
// certificate or a bearer token (in a pod: the ServiceAccount's, read again as it rotates).
// @kubernetes/client-node's KubeConfig does this and much more, but importing it loads its
// generated API (~25 MB of heap and ~60 MB RSS per process, docs/decisions.md record 72), so the
// processes load kubeconfigs here and import client-node only for what only it does: a user
// with an exec plugin or an auth provider.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { isIPv6 } from "node:net";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import type { RequestOptions } from "node:https";
import {
  kubeconfigPaths,
  mergedCurrentContext,
  pathFromEntry,
  type FromFile,
  type KubeconfigDocument,
} from "./kubeconfig-merge.ts";

/** What KubeRest needs of a kubeconfig; client-node's KubeConfig is one too. */
export interface ClusterAccess {
  getCurrentCluster(): { readonly server: string } | null;
  /** Sets TLS material and authentication headers, read afresh (files may have rotated). */
  applyToHTTPSOptions(options: RequestOptions): Promise<void>;
}

/** Where the credentials come from; the first that applies wins. */
export interface ClusterAccessSource {
  /** A kubeconfig file, or several separated by ":" (KUBECONFIG), merged as kubectl does. */
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
 * The kubeconfig file(s) if named, else the pod's ServiceAccount when running in a pod, else
 * ~/.kube/config. Unlike client-node's loadFromDefault, a pod's ServiceAccount comes before a
 * ~/.kube/config.
 */
export function loadClusterAccess(source: ClusterAccessSource): ClusterAccess {
  if (source.kubeconfig) return fromKubeconfigFiles(kubeconfigPaths(source.kubeconfig, delimiter));
  if (source.serviceHost && source.servicePort) {
    const host = isIPv6(source.serviceHost) ? `[${source.serviceHost}]` : source.serviceHost;
    return new FileClusterAccess({
      server: `https://${host}:${source.servicePort}`,
      ca: { file: join(SERVICE_ACCOUNT_DIR, "ca.crt") },
      tokenFile: join(SERVICE_ACCOUNT_DIR, "token"),
    });
  }
  return fromKubeconfigFiles([join(homedir(), ".kube", "config")]);
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

/**
 * The kubeconfig files, parsed; as kubectl does, a file of a list that does not exist is
 * skipped, but a list where none exists (or one named file that does not) is an error.
 */
function readKubeconfigs(paths: readonly string[]): FromFile<KubeconfigDocument>[] {
  // `yaml` is loaded only here: a pod reads no kubeconfig file.
  const { parse } = createRequire(import.meta.url)("yaml") as typeof import("yaml");
  const present = paths.length === 1 ? paths : paths.filter((path) => existsSync(path));
  if (present.length === 0) {
    throw new Error(`none of the kubeconfig files exists: ${paths.join(", ")}`);
  }
  return present.map((file) => ({
    file,
    value: (parse(readFileSync(file, "utf8")) ?? {}) as KubeconfigDocument,
  }));
}

/** The current context of the kubeconfig files (merged), served here or by client-node. */
export function fromKubeconfigFiles(paths: readonly string[]): ClusterAccess {
  const documents = readKubeconfigs(paths);
  const where = paths.join(delimiter);
  const current = mergedCurrentContext(documents);
  const cluster = current?.cluster;
  if (current === undefined || typeof cluster?.value.server !== "string") {
    throw new Error(`the kubeconfig ${where} has no current cluster`);
  }
  const user = current.user;
  if (user.value.exec !== undefined || user.value["auth-provider"] !== undefined) {
    return new ClientNodeClusterAccess(documents, cluster.value.server);
  }
  refuseUnapplied(where, "user", user.value, USER_FIELDS);
  refuseUnapplied(where, "cluster", cluster.value, CLUSTER_FIELDS);
  const text = (entry: FromFile<Record<string, unknown>>, field: string): string | undefined => {
    const value = entry.value[field];
    return typeof value === "string" ? value : undefined;
  };
  // Relative file paths in a kubeconfig are relative to the file that holds the entry.
  const fileOf = (entry: FromFile<Record<string, unknown>>, field: string): string | undefined =>
    pathFromEntry(text(entry, field), entry.file);
  const material = (entry: FromFile<Record<string, unknown>>, field: string): Material => ({
    file: fileOf(entry, field),
    data: text(entry, `${field}-data`),
  });
  return new FileClusterAccess({
    server: cluster.value.server,
    ca: material(cluster, "certificate-authority"),
    cert: material(user, "client-certificate"),
    key: material(user, "client-key"),
    token: text(user, "token"),
    tokenFile: fileOf(user, "tokenFile"),
    skipTLSVerify: cluster.value["insecure-skip-tls-verify"] === true,
    tlsServerName: text(cluster, "tls-server-name"),
  });
}

/**
 * A kubeconfig whose user runs an exec plugin or an auth provider: client-node, loaded late.
 * It reads the files itself, merged in the same order (client-node's merge lets a later file's
 * current context win and refuses repeated names, so a list is merged the kubectl way here).
 */
class ClientNodeClusterAccess implements ClusterAccess {
  readonly #documents: readonly FromFile<KubeconfigDocument>[];
  readonly #server: string;
  #loaded: Promise<ClusterAccess> | undefined;

  constructor(documents: readonly FromFile<KubeconfigDocument>[], server: string) {
    this.#documents = documents;
    this.#server = server;
  }

  getCurrentCluster(): { readonly server: string } {
    return { server: this.#server };
  }

  async applyToHTTPSOptions(options: RequestOptions): Promise<void> {
    this.#loaded ??= import("@kubernetes/client-node").then(({ KubeConfig }) => {
      const kubeConfig = new KubeConfig();
      const [first, ...others] = this.#documents;
      if (first !== undefined) kubeConfig.loadFromFile(first.file);
      for (const other of others) mergeLater(kubeConfig, other.file, KubeConfig);
      return kubeConfig;
    });
    await (await this.#loaded).applyToHTTPSOptions(options);
  }
}

type ClientNodeKubeConfig = InstanceType<typeof import("@kubernetes/client-node").KubeConfig>;

/** Adds a later file's clusters, users and contexts whose names are new: the first file wins. */
function mergeLater(
  into: ClientNodeKubeConfig,
  file: string,
  KubeConfig: typeof import("@kubernetes/client-node").KubeConfig,
): void {
  const later = new KubeConfig();
  later.loadFromFile(file);
  const known = (list: readonly { name: string }[], name: string): boolean =>
    list.some((entry) => entry.name === name);
  for (const cluster of later.clusters)
    if (!known(into.clusters, cluster.name)) into.addCluster(cluster);
  for (const user of later.users) if (!known(into.users, user.name)) into.addUser(user);
  for (const context of later.contexts)
    if (!known(into.contexts, context.name)) into.addContext(context);
  if (!into.currentContext) into.setCurrentContext(later.currentContext);
}
