// The local control plane: real etcd, kube-apiserver and kube-controller-manager on loopback,
// with generated certificates, for integration tests and `npm run dev`.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureControlPlaneBinaries, type ControlPlaneBinaries } from "./binaries.ts";
import { kubeconfigYaml } from "./kubeconfig.ts";
import {
  createCertificateAuthority,
  createSigningKeyPair,
  type CertificateAuthority,
} from "../tls/pki.ts";
import { freeLoopbackPort } from "./ports.ts";
import { ProcessGroup, tailOf, type ManagedProcess } from "./processes.ts";
import { httpsGet, waitForPaths } from "./readiness.ts";
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
  /** Whether kube-apiserver asks the svctokens authorizer (default true; false: Node, RBAC). */
  authorizationWebhook?: boolean;
  /** Progress messages for people; silent by default. */
  log?: (message: string) => void;
  /** How long to wait for readiness. */
  readyTimeoutMs?: number;
}

/** A running local control plane. Stop it with `stop()`; tests get `info` only. */
export class LocalControlPlane {
  readonly info: ControlPlaneInfo;
  readonly #processes: ProcessGroup;
  readonly #ownsDir: boolean;

  private constructor(info: ControlPlaneInfo, processes: ProcessGroup, ownsDir: boolean) {
    this.info = info;
    this.#processes = processes;
    this.#ownsDir = ownsDir;
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
      const info = await startAll(dir, binaries, processes, options, log);
      return new LocalControlPlane(info, processes, ownsDir);
    } catch (error) {
      await processes.stopAll(2_000);
      throw error;
    }
  }

  /** Issues a client certificate for `user` and writes a kubeconfig for it; returns its path. */
  async addUser(user: LocalUser): Promise<string> {
    return writeUserKubeconfig(this.info, user);
  }

  /** Stops every process this control plane started; removes its temp dir if it made one. */
  async stop(): Promise<void> {
    await this.#processes.stopAll();
    if (this.#ownsDir) await rm(this.info.dir, { recursive: true, force: true });
  }
}

async function startAll(
  dir: string,
  binaries: ControlPlaneBinaries,
  processes: ProcessGroup,
  options: ControlPlaneOptions,
  log: (message: string) => void,
): Promise<ControlPlaneInfo> {
  const started = Date.now();
  const ca = await createCertificateAuthority("svctokens-local-ca");
  const files = await writePki(dir, ca);
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
      ...apiserverArgs(files, etcdPort, apiPort, options.tokenWebhookCacheTtl ?? "0s"),
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
    webhookClientCommonName: "kube-apiserver",
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
  return info;
}

interface PkiFiles {
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  saPublic: string;
  saPrivate: string;
  tokenWebhookKubeconfig: string;
  admin: { certPem: string; keyPem: string };
  webhookClient: { certPem: string; keyPem: string };
}

async function writePki(dir: string, ca: CertificateAuthority): Promise<PkiFiles> {
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
    admin: await ca.issue({
      usage: "client",
      commonName: "admin",
      organizations: ["system:masters"],
    }),
    // kube-apiserver presents this to the webhook service, which may require it.
    webhookClient: await ca.issue({ usage: "client", commonName: "kube-apiserver" }),
  };
  await Promise.all([
    writeFile(files.caCert, ca.certPem),
    writeFile(files.caKey, ca.keyPem, { mode: 0o600 }),
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
  cacheTtl: string,
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
    "--authentication-token-webhook-version=v1",
    `--authentication-token-webhook-cache-ttl=${cacheTtl}`,
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
    "--profiling=false",
    "--v=1",
  ];
}
