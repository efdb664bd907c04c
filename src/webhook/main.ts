// src/webhook/: the webhook process: authn/ authz/ admission/ over cache/, via http/.
// `npm run webhook`: the webhook service process (wiring only).
import { loadConfig } from "../config.ts";
import { serveUntilSignal } from "../run-until-signal.ts";
import { errorMessage } from "../k8s/errors.ts";
import { loadClusterAccess } from "../k8s/cluster-access.ts";
import { createLogger } from "../log.ts";
import { KubeRest } from "../k8s/rest.ts";
import { WEBHOOK_CLIENT } from "../k8s/client-identity.ts";
import { ensureSelfSignedTls, keepSelfSignedTls } from "../tls/self-signed-tls.ts";
import { WebhookService } from "./service.ts";

/**
 * How often a replica checks the shared certificate: picks up another replica's renewal and
 * restores a caBundle that a re-apply of the manifests emptied. Two small GETs each time.
 */
const TLS_CHECK_INTERVAL_MS = 5 * 60 * 1000;

const config = loadConfig();
// The service tags its parts (`component`: caches, http, server, last-used) itself.
const root = createLogger(config.SVCTOKENS_LOG_LEVEL);
const log = root.child({ component: "main" });
// Not client-node's KubeConfig: importing it loads its generated API (~25 MB heap, record 72).
const kubeConfig = loadClusterAccess({
  kubeconfig: config.KUBECONFIG,
  serviceHost: config.KUBERNETES_SERVICE_HOST,
  servicePort: config.KUBERNETES_SERVICE_PORT,
});
const selfSigned =
  config.SVCTOKENS_TLS_MODE === "self-signed"
    ? {
        rest: new KubeRest(kubeConfig, { identity: WEBHOOK_CLIENT }),
        namespace: config.SVCTOKENS_NAMESPACE,
        secretName: config.SVCTOKENS_TLS_SECRET_NAME,
        serviceName: config.SVCTOKENS_WEBHOOK_SERVICE_NAME,
        webhookConfigurationName: config.SVCTOKENS_WEBHOOK_CONFIGURATION_NAME,
        dir: config.SVCTOKENS_TLS_DIR,
        log: root.child({ component: "tls" }),
      }
    : undefined;
const tlsFiles = selfSigned
  ? await ensureSelfSignedTls(selfSigned)
  : { certFile: config.SVCTOKENS_TLS_CERT_FILE, keyFile: config.SVCTOKENS_TLS_KEY_FILE };
const stopTlsUpkeep = selfSigned ? keepSelfSignedTls(selfSigned, TLS_CHECK_INTERVAL_MS) : undefined;
const service = await WebhookService.start({
  kubeConfig,
  namespace: config.SVCTOKENS_NAMESPACE,
  tls: { ...tlsFiles, clientCaFile: config.SVCTOKENS_CLIENT_CA_FILE },
  allowedClientNames: config.SVCTOKENS_CLIENT_NAMES,
  host: config.SVCTOKENS_WEBHOOK_HOST,
  port: config.SVCTOKENS_WEBHOOK_PORT,
  metricsPort: config.SVCTOKENS_WEBHOOK_METRICS_PORT,
  lastUsedFlushMs: config.SVCTOKENS_LAST_USED_FLUSH_SECONDS * 1000,
  maxTokenLifetimeDays: config.SVCTOKENS_MAX_TOKEN_LIFETIME_DAYS,
  controllerUsername: config.SVCTOKENS_CONTROLLER_USERNAME,
  adminCacheMs: config.SVCTOKENS_ADMIN_CHECK_CACHE_SECONDS * 1000,
  adminCheckBurst: config.SVCTOKENS_ADMIN_CHECK_BURST,
  adminChecksPerSecond: config.SVCTOKENS_ADMIN_CHECKS_PER_SECOND,
  relistIntervalMs: config.SVCTOKENS_RESYNC_SECONDS * 1000,
  log: root,
  processMetrics: true,
  maxCacheStalenessMs: config.SVCTOKENS_MAX_CACHE_STALENESS_SECONDS * 1000,
});
log.info(
  {
    port: service.port,
    metricsPort: service.metricsPort,
    namespace: config.SVCTOKENS_NAMESPACE,
    clientCertificates: config.SVCTOKENS_CLIENT_CA_FILE !== undefined,
    clientNames: config.SVCTOKENS_CLIENT_CA_FILE === undefined ? [] : config.SVCTOKENS_CLIENT_NAMES,
  },
  "webhook service listening",
);
service.synced().then(
  () => log.info("caches synced; ready"),
  (error: unknown) => log.error({ err: errorMessage(error) }, "caches failed to sync"),
);

await serveUntilSignal(
  log,
  "stopping: finishing in-flight requests and flushing last-used",
  async () => {
    stopTlsUpkeep?.();
    selfSigned?.rest.close();
    await service.stop();
  },
);
