// src/controller/: the controller process: runtime/ and one folder per reconciler.
// `npm run controller`: the controller process (wiring only).
import { hostname } from "node:os";
import { loadConfig } from "../config.ts";
import { serveUntilSignal } from "../run-until-signal.ts";
import { loadClusterAccess } from "../k8s/cluster-access.ts";
import { createLogger } from "../log.ts";
import { Controller } from "./controller.ts";
import { startHealthServer } from "../health-server.ts";
import { refreshTokenGauges } from "./token-gauges.ts";

const config = loadConfig();
const log = createLogger(config.SVCTOKENS_LOG_LEVEL).child({ component: "controller" });
const identity = config.SVCTOKENS_POD_NAME ?? `${hostname()}-${process.pid}`;
const controller = new Controller({
  kubeConfig: loadClusterAccess({
    kubeconfig: config.KUBECONFIG,
    serviceHost: config.KUBERNETES_SERVICE_HOST,
    servicePort: config.KUBERNETES_SERVICE_PORT,
  }),
  operatorNamespace: config.SVCTOKENS_NAMESPACE,
  identity,
  resyncMs: config.SVCTOKENS_RESYNC_SECONDS * 1000,
  concurrency: config.SVCTOKENS_RECONCILE_CONCURRENCY,
  log,
  processMetrics: true,
  maxCacheStalenessMs: config.SVCTOKENS_MAX_CACHE_STALENESS_SECONDS * 1000,
  leaderElection: config.SVCTOKENS_LEADER_ELECTION
    ? {
        leaseName: config.SVCTOKENS_LEASE_NAME,
        leaseDurationMs: config.SVCTOKENS_LEASE_DURATION_SECONDS * 1000,
        retryPeriodMs: config.SVCTOKENS_LEASE_RENEW_SECONDS * 1000,
      }
    : undefined,
  lifecycle: {
    unusedAfterDays: config.SVCTOKENS_UNUSED_AFTER_DAYS,
    revokeUnusedAfterDays: config.SVCTOKENS_REVOKE_UNUSED_AFTER_DAYS,
    deleteExpiredAfterDays: config.SVCTOKENS_DELETE_EXPIRED_AFTER_DAYS,
  },
});
const server = await startHealthServer(
  {
    isReady: () => controller.isReady(),
    registry: controller.metrics.registry,
    beforeScrape: () => {
      refreshTokenGauges(controller.caches, controller.metrics);
      controller.refreshLifecycleGauges();
    },
  },
  config.SVCTOKENS_CONTROLLER_METRICS_PORT,
);
controller.start();
log.info(
  { identity, namespace: config.SVCTOKENS_NAMESPACE, address: server.address() },
  "controller started",
);

await serveUntilSignal(log, "stopping", async () => {
  server.close();
  await controller.stop();
});
