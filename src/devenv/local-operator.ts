// The operator (controller and webhook service) running in this process against the local
// control plane, each under its own ServiceAccount identity: for `npm run dev` and tests.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import { Controller } from "../controller/controller.ts";
import type { Clock } from "../k8s/clock.ts";
import { loadClusterAccess } from "../k8s/cluster-access.ts";
import { WebhookService } from "../webhook/service.ts";
import { writeUserKubeconfig, type ControlPlaneInfo, type LocalUser } from "./identities.ts";
import { loadCertificateAuthorityFiles } from "../tls/pki.ts";
import { loadConfig } from "../config.ts";
import type { LifecycleSettings } from "../controller/lifecycle/decide.ts";

/** The shipped defaults (an empty environment), for settings tests do not override. */
const SHIPPED = loadConfig({});

export const OPERATOR_NAMESPACE = SHIPPED.SVCTOKENS_NAMESPACE;
export const CONTROLLER_USERNAME = SHIPPED.SVCTOKENS_CONTROLLER_USERNAME;

/** The user and groups Kubernetes gives a ServiceAccount of the operator's namespace. */
export function operatorServiceAccount(name: string): LocalUser {
  return {
    name: `system:serviceaccount:${OPERATOR_NAMESPACE}:${name}`,
    groups: ["system:serviceaccounts", `system:serviceaccounts:${OPERATOR_NAMESPACE}`],
  };
}

/** Options of the local controller. */
export interface LocalControllerOptions {
  log: Logger;
  resyncMs?: number;
  /** Tests move time forward with their own clock. */
  clock?: Clock;
  /** Lifecycle policies; the shipped defaults otherwise. */
  lifecycle?: LifecycleSettings;
}

/** Starts the controller (single replica, no leader election) and waits for its caches. */
export async function startLocalController(
  info: ControlPlaneInfo,
  options: LocalControllerOptions,
): Promise<Controller> {
  const kubeconfig = await writeUserKubeconfig(
    info,
    operatorServiceAccount("svctokens-controller"),
  );
  const controller = new Controller({
    // As the deployed processes load it (main.ts), so every integration test runs that loader.
    kubeConfig: loadClusterAccess({ kubeconfig }),
    operatorNamespace: OPERATOR_NAMESPACE,
    identity: "local-controller",
    resyncMs: options.resyncMs ?? SHIPPED.SVCTOKENS_RESYNC_SECONDS * 1000,
    concurrency: SHIPPED.SVCTOKENS_RECONCILE_CONCURRENCY,
    log: options.log,
    ...(options.clock ? { clock: options.clock } : {}),
    lifecycle: options.lifecycle ?? {
      unusedAfterDays: SHIPPED.SVCTOKENS_UNUSED_AFTER_DAYS,
      revokeUnusedAfterDays: SHIPPED.SVCTOKENS_REVOKE_UNUSED_AFTER_DAYS,
      deleteExpiredAfterDays: SHIPPED.SVCTOKENS_DELETE_EXPIRED_AFTER_DAYS,
    },
  });
  controller.start();
  await controller.caches.synced();
  return controller;
}

/** A webhook service on the port kube-apiserver's token authenticator calls. */
export interface LocalWebhook {
  service: WebhookService;
  /** https://127.0.0.1:<port> */
  url: string;
  /** http://127.0.0.1:<port> of /healthz, /readyz and /metrics. */
  metricsUrl: string;
  /** CA of its serving certificate (the control plane's CA). */
  caPem: string;
  stop(): Promise<void>;
}

/** Options of the local webhook service. */
export interface LocalWebhookOptions {
  log: Logger;
  lastUsedFlushMs?: number;
  maxTokenLifetimeDays?: number | undefined;
  /** The Admin-check rate limit; the shipped defaults (config.ts) otherwise. */
  adminCheckBurst?: number;
  adminChecksPerSecond?: number;
  /** Tests: reach the API server at this URL (a proxy they can cut) and judge staleness. */
  apiServer?: string;
  maxCacheStalenessMs?: number;
}

/**
 * Starts the webhook service with a serving certificate from the control plane's CA, and the
 * shipped client policy: /authenticate and /validate only for kube-apiserver's certificate
 * (the dedicated client CA, the pinned name).
 */
export async function startLocalWebhook(
  info: ControlPlaneInfo,
  options: LocalWebhookOptions,
): Promise<LocalWebhook> {
  const ca = await loadCertificateAuthorityFiles(info.caCertFile, info.caKeyFile);
  const serving = await ca.issue({
    usage: "server",
    commonName: "svctokens-webhook",
    ipAddresses: ["127.0.0.1"],
  });
  const dir = join(info.dir, "webhook-tls");
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const certFile = join(dir, "tls.crt");
  const keyFile = join(dir, "tls.key");
  await writeFile(certFile, serving.certPem);
  await writeFile(keyFile, serving.keyPem, { mode: 0o600 });
  const kubeconfig = await writeUserKubeconfig(
    { ...info, server: options.apiServer ?? info.server },
    operatorServiceAccount("svctokens-webhook"),
    ...(options.apiServer ? [join(dir, "webhook-via-proxy.kubeconfig")] : []),
  );
  const service = await WebhookService.start({
    // As the deployed processes load it (main.ts), so every integration test runs that loader.
    kubeConfig: loadClusterAccess({ kubeconfig }),
    namespace: OPERATOR_NAMESPACE,
    tls: { certFile, keyFile, clientCaFile: info.webhookClientCaCertFile },
    allowedClientNames: [info.webhookClientCommonName],
    host: "127.0.0.1",
    port: info.webhookPort,
    metricsPort: 0,
    lastUsedFlushMs: options.lastUsedFlushMs ?? SHIPPED.SVCTOKENS_LAST_USED_FLUSH_SECONDS * 1000,
    maxTokenLifetimeDays: options.maxTokenLifetimeDays,
    controllerUsername: CONTROLLER_USERNAME,
    adminCacheMs: 0, // tests see RBAC changes at once
    adminCheckBurst: options.adminCheckBurst ?? SHIPPED.SVCTOKENS_ADMIN_CHECK_BURST,
    adminChecksPerSecond: options.adminChecksPerSecond ?? SHIPPED.SVCTOKENS_ADMIN_CHECKS_PER_SECOND,
    relistIntervalMs: SHIPPED.SVCTOKENS_RESYNC_SECONDS * 1000,
    log: options.log,
    processMetrics: false,
    shutdownGraceMs: 2_000,
    ...(options.maxCacheStalenessMs ? { maxCacheStalenessMs: options.maxCacheStalenessMs } : {}),
  });
  await service.synced();
  return {
    service,
    url: `https://127.0.0.1:${service.port}`,
    metricsUrl: `http://127.0.0.1:${service.metricsPort}`,
    caPem: ca.certPem,
    stop: () => service.stop(),
  };
}
