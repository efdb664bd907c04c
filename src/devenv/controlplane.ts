// The local control plane: real etcd, kube-apiserver and kube-controller-manager on loopback,
// with generated certificates, for integration tests and `npm run dev`.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureControlPlaneBinaries, type ControlPlaneBinaries } from "./binaries.ts";
import { kubeconfigYaml } from "./kubeconfig.ts";
import {
  createCertificateAuthority,
  createSigningKeyPair,
  loadCertificateAuthority,
  type CertificateAuthority,
} from "../tls/pki.ts";
import { admissionConfigurationYaml, admissionKubeconfigYaml } from "./webhook-client.ts";
import { freeLoopbackPort } from "./ports.ts";
import { ProcessGroup, tailOf, type ManagedProcess } from "./processes.ts";
import { httpsGet, waitForPaths, type AdminTls } from "./readiness.ts";
import { writeUserKubeconfig, type ControlPlaneInfo, type LocalUser } from "./identities.ts";
import { writeApiserverPolicy } from "./apiserver-policy.ts";

/** How to start the control plane. */
export interface ControlPlaneOptions {
  /** Where certificates, kubeconfigs, etcd data and logs go; a fresh temp dir by default. */
  dir?: string;
  /** Port the webhook service will listen on (the token authenticator is pointed there). */
  webhookPort?: number;
  /** kube-apiserver's cache of token reviews (`--authentication-token-webhook-cache-ttl`). */
  tokenWebhookCacheTtl?: string;
  /** TokenReview version kube-apiserver sends (`--authentication-token-webhook-version`). */
  tokenWebhookVersion?: "v1" | "v1beta1";
  /**
   * Use these CAs (cluster and webhook-client) instead of new ones: a second control plane
   * whose kube-apiserver calls the first one's webhook service with the same trust.
   */
  sharePkiWith?: SharedPki;
  /** Whether kube-apiserver asks the svctokens authorizer (default true; false: Node, RBAC). */
  authorizationWebhook?: boolean;
  /** Progress messages for people; silent by default. */
  log?: (message: string) => void;
  /** How long to wait for readiness. */
  readyTimeoutMs?: number;
}

/** The CA files a second control plane may reuse. */
export type SharedPki = Pick<
  ControlPlaneInfo,
  "caCertFile" | "caKeyFile" | "webhookClientCaCertFile" | "webhookClientCaKeyFile"
>;

/** A running local control plane. Stop it with `stop()`; tests get `info` only. */
export class LocalControlPlane {
  readonly info: ControlPlaneInfo;
  readonly #processes: ProcessGroup;
  readonly #ownsDir: boolean;
  readonly #adminTls: AdminTls;
  readonly #readyTimeoutMs: number;

  private constructor(
    started: StartedControlPlane,
    processes: ProcessGroup,
    ownsDir: boolean,
    readyTimeoutMs: number,
  ) {
    this.info = started.info;
    this.#adminTls = started.adminTls;
    this.#processes = processes;
    this.#ownsDir = ownsDir;
    this.#readyTimeoutMs = readyTimeoutMs;
  }

  /** Builds (if needed) and starts etcd, kube-apiserver and kube-controller-manager. */
  static async start(options: ControlPlaneOptions = {}): Promise<LocalControlPlane> {
    const log = options.log ?? ((): void => undefined);
    const binaries = await ensureControlPlaneBinaries();
    const ownsDir = options.dir === undefined;
    const dir = options.dir ?? (await mkdtemp(join(tmpdir(), "svctokens-controlplane-")));
    await mkdir(join(dir, "logs"), { recursive: true });
    const processes = new ProcessGroup(join(dir, "pids"));
    try {
      const started = await startAll(dir, binaries, processes, options, log);
      return new LocalControlPlane(started, processes, ownsDir, options.readyTimeoutMs ?? 120_000);
    } catch (error) {
      await processes.stopAll(2_000);
      throw error;
    }
  }

  /** Issues a client certificate for `user` and writes a kubeconfig for it; returns its path. */
  async addUser(user: LocalUser): Promise<string> {
    return writeUserKubeconfig(this.info, user);
  }

  /**
   * Stops kube-apiserver, runs `whileDown` (the outage), starts it again with the same flags
   * and port, and waits until it is ready. For fault tests.
   */
  async restartApiServer(whileDown?: () => Promise<void>): Promise<void> {
    await this.#restart("kube-apiserver", whileDown);
  }

  /**
   * Stops etcd, runs `whileDown`, starts it again on the same ports and data, and waits until
   * kube-apiserver is ready again (its readiness includes etcd). For fault tests.
   */
  async restartEtcd(whileDown?: () => Promise<void>): Promise<void> {
    await this.#restart("etcd", whileDown);
  }

  async #restart(name: string, whileDown?: () => Promise<void>): Promise<void> {
    const started = await this.#processes.restart(name, whileDown);
    const crashed = (): string | undefined =>
      started.running()
        ? undefined
        : `${name} exited after its restart; its log ends:\n${tailOf(started.logFile)}`;
    await waitForPaths(
      this.info.server,
      ["/readyz"],
      this.#adminTls,
      this.#readyTimeoutMs,
      crashed,
    );
  }

  /** Stops every process this control plane started; removes its temp dir if it made one. */
  async stop(): Promise<void> {
    await this.#processes.stopAll();
    if (this.#ownsDir) await rm(this.info.dir, { recursive: true, force: true });
  }
}

/** What start-up yields: the info for tests, and the admin's TLS for later readiness checks. */
interface StartedControlPlane {
  info: ControlPlaneInfo;
  adminTls: AdminTls;
}

async function startAll(
  dir: string,
  binaries: ControlPlaneBinaries,
  processes: ProcessGroup,
  options: ControlPlaneOptions,
  log: (message: string) => void,
): Promise<StartedControlPlane> {
  const started = Date.now();
  const ca = await authority(options.sharePkiWith, "caCertFile", "caKeyFile", "svctokens-local-ca");
  // kube-apiserver's client certificate for the webhook service comes from a CA of its own:
  // every user's certificate chains to the cluster CA, so that one cannot say "kube-apiserver".
  const clientCa = await authority(
    options.sharePkiWith,
    "webhookClientCaCertFile",
    "webhookClientCaKeyFile",
    "svctokens-webhook-client-ca",
  );
  const files = await writePki(dir, ca, clientCa);
  const [etcdPort, etcdPeerPort, apiPort, kcmPort, webhookPort] = await Promise.all([
    freeLoopbackPort(),
    freeLoopbackPort(),
    freeLoopbackPort(),
    freeLoopbackPort(),
    options.webhookPort ?? freeLoopbackPort(),
  ]);
  const server = `https://127.0.0.1:${apiPort}`;
  const webhookUrl = `https://127.0.0.1:${webhookPort}`;

  log("starting etcd");
  const etcd = processes.start(
    "etcd",
    binaries.etcd,
    etcdArgs(dir, etcdPort, etcdPeerPort),
    join(dir, "logs/etcd.log"),
  );

  await writeFile(
    files.tokenWebhookKubeconfig,
    kubeconfigYaml(`${webhookUrl}/authenticate`, ca.certPem, "kube-apiserver", {
      clientCertPem: files.webhookClient.certPem,
      clientKeyPem: files.webhookClient.keyPem,
    }),
  );
  // Admission webhooks get the same client certificate, for the webhook's host:port only.
  await writeFile(
    files.admissionKubeconfig,
    admissionKubeconfigYaml(`127.0.0.1:${webhookPort}`, files.webhookClient),
    { mode: 0o600 },
  );
  await writeFile(files.admissionConfig, admissionConfigurationYaml(files.admissionKubeconfig));
  const policy = await writeApiserverPolicy({
    dir,
    webhookUrl,
    caPem: ca.certPem,
    client: files.webhookClient,
    authorizationWebhook: options.authorizationWebhook ?? true,
  });
  log("starting kube-apiserver");
  const apiserver = processes.start(
    "kube-apiserver",
    binaries.kubeApiserver,
    [
      ...apiserverArgs(files, etcdPort, apiPort, {
        cacheTtl: options.tokenWebhookCacheTtl ?? "0s",
        version: options.tokenWebhookVersion ?? "v1",
      }),
      ...policy.args,
    ],
    join(dir, "logs/kube-apiserver.log"),
  );

  const adminTls = { ca: ca.certPem, cert: files.admin.certPem, key: files.admin.keyPem };
  const watched: ManagedProcess[] = [etcd, apiserver];
  const crashed = (): string | undefined => {
    const dead = watched.find((p) => !p.running());
    return dead && `${dead.name} exited during start-up; its log ends:\n${tailOf(dead.logFile)}`;
  };
  await waitForPaths(server, ["/readyz"], adminTls, options.readyTimeoutMs ?? 120_000, crashed);

  const info: ControlPlaneInfo = {
    dir,
    server,
    caCertFile: files.caCert,
    caKeyFile: files.caKey,
    adminKubeconfig: join(dir, "admin.kubeconfig"),
    aliceKubeconfig: join(dir, "alice.kubeconfig"),
    webhookPort,
    webhookUrl,
    webhookClientCommonName: WEBHOOK_CLIENT_NAME,
    webhookClientCaCertFile: files.clientCaCert,
    webhookClientCaKeyFile: files.clientCaKey,
    kubernetesVersion: "",
    logsDir: join(dir, "logs"),
    auditLogPath: policy.auditLogPath,
  };
  await writeFile(
    info.adminKubeconfig,
    kubeconfigYaml(server, ca.certPem, "admin", {
      clientCertPem: files.admin.certPem,
      clientKeyPem: files.admin.keyPem,
    }),
  );
  await writeUserKubeconfig(info, { name: "alice", groups: [] }, info.aliceKubeconfig);
  const kcmKubeconfig = await writeUserKubeconfig(
    info,
    { name: "system:kube-controller-manager", groups: ["system:masters"] },
    join(dir, "kube-controller-manager.kubeconfig"),
  );

  log("starting kube-controller-manager");
  const kcm = processes.start(
    "kube-controller-manager",
    binaries.kubeControllerManager,
    controllerManagerArgs(kcmKubeconfig, kcmPort, files),
    join(dir, "logs/kube-controller-manager.log"),
  );
  watched.push(kcm);
  await waitForPaths(
    server,
    ["/api/v1/namespaces/default/serviceaccounts/default"],
    adminTls,
    60_000,
    crashed,
  );

  const version = JSON.parse((await httpsGet(`${server}/version`, adminTls)).body) as {
    gitVersion: string;
  };
  info.kubernetesVersion = version.gitVersion;
  log(`control plane ${version.gitVersion} ready at ${server} in ${Date.now() - started} ms`);
  return { info, adminTls };
}

interface PkiFiles {
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  saPublic: string;
  saPrivate: string;
  tokenWebhookKubeconfig: string;
  clientCaCert: string;
  clientCaKey: string;
  admissionKubeconfig: string;
  admissionConfig: string;
  admin: { certPem: string; keyPem: string };
  webhookClient: { certPem: string; keyPem: string };
}

/** The name kube-apiserver's client certificate carries, and the webhook service pins. */
const WEBHOOK_CLIENT_NAME = "kube-apiserver";

/** A CA loaded from the shared files, or a new one. */
async function authority(
  shared: SharedPki | undefined,
  certKey: "caCertFile" | "webhookClientCaCertFile",
  keyKey: "caKeyFile" | "webhookClientCaKeyFile",
  commonName: string,
): Promise<CertificateAuthority> {
  if (shared === undefined) return createCertificateAuthority(commonName);
  const [certPem, keyPem] = await Promise.all([
    readFile(shared[certKey], "utf8"),
    readFile(shared[keyKey], "utf8"),
  ]);
  return loadCertificateAuthority(certPem, keyPem);
}

async function writePki(
  dir: string,
  ca: CertificateAuthority,
  clientCa: CertificateAuthority,
): Promise<PkiFiles> {
  const pki = join(dir, "pki");
  await mkdir(pki, { recursive: true, mode: 0o700 });
  const serving = await ca.issue({
    usage: "server",
    commonName: "kube-apiserver",
    ipAddresses: ["127.0.0.1"],
    dnsNames: ["localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"],
  });
  const serviceAccount = await createSigningKeyPair();
  const files: PkiFiles = {
    caCert: join(pki, "ca.crt"),
    caKey: join(pki, "ca.key"),
    servingCert: join(pki, "apiserver.crt"),
    servingKey: join(pki, "apiserver.key"),
    saPublic: join(pki, "sa.pub"),
    saPrivate: join(pki, "sa.key"),
    tokenWebhookKubeconfig: join(dir, "token-webhook.kubeconfig"),
    clientCaCert: join(pki, "webhook-client-ca.crt"),
    clientCaKey: join(pki, "webhook-client-ca.key"),
    admissionKubeconfig: join(dir, "admission-webhooks.kubeconfig"),
    admissionConfig: join(dir, "admission-configuration.yaml"),
    admin: await ca.issue({
      usage: "client",
      commonName: "admin",
      organizations: ["system:masters"],
    }),
    // kube-apiserver presents this to the webhook service, which requires it.
    webhookClient: await clientCa.issue({ usage: "client", commonName: WEBHOOK_CLIENT_NAME }),
  };
  await Promise.all([
    writeFile(files.caCert, ca.certPem),
    writeFile(files.caKey, ca.keyPem, { mode: 0o600 }),
    writeFile(files.clientCaCert, clientCa.certPem),
    writeFile(files.clientCaKey, clientCa.keyPem, { mode: 0o600 }),
    writeFile(files.servingCert, serving.certPem),
    writeFile(files.servingKey, serving.keyPem, { mode: 0o600 }),
    writeFile(files.saPublic, serviceAccount.publicPem),
    writeFile(files.saPrivate, serviceAccount.privatePem, { mode: 0o600 }),
  ]);
  return files;
}

function etcdArgs(dir: string, port: number, peerPort: number): string[] {
  const client = `http://127.0.0.1:${port}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  return [
    "--name=local",
    `--data-dir=${join(dir, "etcd")}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=local=${peer}`,
    // Test data is disposable: skipping fsync makes etcd fast on shared disks.
    "--unsafe-no-fsync=true",
    "--log-level=warn",
  ];
}

function apiserverArgs(
  files: PkiFiles,
  etcdPort: number,
  port: number,
  tokenWebhook: { cacheTtl: string; version: "v1" | "v1beta1" },
): string[] {
  return [
    `--etcd-servers=http://127.0.0.1:${etcdPort}`,
    "--bind-address=127.0.0.1",
    "--advertise-address=127.0.0.1",
    `--secure-port=${port}`,
    `--tls-cert-file=${files.servingCert}`,
    `--tls-private-key-file=${files.servingKey}`,
    `--client-ca-file=${files.caCert}`,
    `--service-account-key-file=${files.saPublic}`,
    `--service-account-signing-key-file=${files.saPrivate}`,
    "--service-account-issuer=https://kubernetes.default.svc",
    "--service-cluster-ip-range=10.96.0.0/16",
    // No node or Service network here: the "kubernetes" Endpoints would point at loopback.
    "--endpoint-reconciler-type=none",
    `--authentication-token-webhook-config-file=${files.tokenWebhookKubeconfig}`,
    `--authentication-token-webhook-version=${tokenWebhook.version}`,
    `--authentication-token-webhook-cache-ttl=${tokenWebhook.cacheTtl}`,
    `--admission-control-config-file=${files.admissionConfig}`,
    "--enable-admission-plugins=NamespaceLifecycle,ServiceAccount,MutatingAdmissionWebhook,ValidatingAdmissionWebhook",
    "--profiling=false",
    "--v=1",
  ];
}

function controllerManagerArgs(kubeconfig: string, port: number, files: PkiFiles): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    "--bind-address=127.0.0.1",
    `--secure-port=${port}`,
    "--leader-elect=false",
    // Garbage collection (owner references) and namespace deletion are what we rely on; the
    // service-account controller gives each namespace its `default` ServiceAccount, and
    // aggregation fills the built-in view/edit/admin roles the role groups are bound to.
    "--controllers=garbagecollector,namespace,serviceaccount,serviceaccount-token,clusterrole-aggregation",
    `--service-account-private-key-file=${files.saPrivate}`,
    `--root-ca-file=${files.caCert}`,
    // Each controller acts as its own ServiceAccount (…:generic-garbage-collector,
    // …:namespace-controller), as on real clusters, so admission sees who really deletes.
    "--use-service-account-credentials=true",
    "--profiling=false",
    "--v=1",
  ];
}
