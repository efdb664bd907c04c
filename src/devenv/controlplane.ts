// The local control plane: real etcd, kube-apiserver and kube-controller-manager on loopback,
// with generated certificates, for integration tests and `npm run dev`.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureControlPlaneBinaries, type ControlPlaneBinaries } from "./binaries.ts";
import { kubeconfigYaml } from "./kubeconfig.ts";
import { authority, WEBHOOK_CLIENT_NAME, writePki, type SharedPki } from "./controlplane-pki.ts";
import { apiserverArgs, controllerManagerArgs, etcdArgs } from "./controlplane-args.ts";
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
