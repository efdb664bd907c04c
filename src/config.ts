// src/: controller/ and webhook/ (the processes); api/ domain/ k8s/ tls/ tokens/; devenv/.
// The operator's configuration: environment variables parsed once, with defaults and clear
// errors at start-up. No other file reads process.env.
import { z } from "zod";

const seconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const bool = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0"])
    .default(fallback ? "true" : "false")
    .transform((value) => value === "true" || value === "1");

/** Default of SVCTOKENS_MAX_CACHE_STALENESS_SECONDS, also for processes started without config. */
export const DEFAULT_MAX_CACHE_STALENESS_SECONDS = 60;

const configSchema = z.object({
  SVCTOKENS_LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal"]).default("info"),
  /** Path of a kubeconfig; in-cluster credentials when unset. */
  KUBECONFIG: z.string().optional(),
  /** Set by the kubelet in every pod: where the API server is (credentials: the ServiceAccount). */
  KUBERNETES_SERVICE_HOST: z.string().optional(),
  KUBERNETES_SERVICE_PORT: z.string().optional(),
  /** The operator's own namespace: hash records, the leader Lease. */
  SVCTOKENS_NAMESPACE: z.string().min(1).default("svctokens-system"),
  /** Who this replica is (leader election holder identity, logs). */
  SVCTOKENS_POD_NAME: z.string().min(1).optional(),

  SVCTOKENS_RESYNC_SECONDS: seconds(600),
  SVCTOKENS_RECONCILE_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
  SVCTOKENS_LEADER_ELECTION: bool(true),
  SVCTOKENS_LEASE_NAME: z.string().min(1).default("svctokens-controller"),
  SVCTOKENS_LEASE_DURATION_SECONDS: seconds(15),
  SVCTOKENS_LEASE_RENEW_SECONDS: seconds(5),
  SVCTOKENS_CONTROLLER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(8080),

  SVCTOKENS_WEBHOOK_PORT: z.coerce.number().int().min(0).max(65535).default(8443),
  SVCTOKENS_WEBHOOK_HOST: z.string().default("0.0.0.0"),
  /**
   * `files`: serve the certificate and key files below (cert-manager, your own PKI).
   * `self-signed`: make (and renew) a CA and serving certificate, keep them in a Secret shared
   * by the replicas, and put the CA into the ValidatingWebhookConfiguration's caBundle.
   */
  SVCTOKENS_TLS_MODE: z.enum(["files", "self-signed"]).default("files"),
  SVCTOKENS_TLS_SECRET_NAME: z.string().min(1).default("svctokens-webhook-tls"),
  SVCTOKENS_TLS_DIR: z.string().min(1).default("/tmp/svctokens-tls"),
  SVCTOKENS_WEBHOOK_SERVICE_NAME: z.string().min(1).default("svctokens-webhook"),
  SVCTOKENS_WEBHOOK_CONFIGURATION_NAME: z.string().min(1).default("svctokens"),
  SVCTOKENS_TLS_CERT_FILE: z.string().min(1).default("/etc/svctokens/tls/tls.crt"),
  SVCTOKENS_TLS_KEY_FILE: z.string().min(1).default("/etc/svctokens/tls/tls.key"),
  /**
   * When set, /authenticate and /validate (the routes only kube-apiserver calls) require a
   * client certificate signed by this CA and carrying one of SVCTOKENS_CLIENT_NAMES. Use a CA
   * of its own, not the cluster CA: every user's certificate chains to that one.
   */
  SVCTOKENS_CLIENT_CA_FILE: z.string().min(1).optional(),
  /** Comma-separated names (certificate CN or DNS SAN) accepted with the client CA. */
  SVCTOKENS_CLIENT_NAMES: z
    .string()
    .default("kube-apiserver")
    .transform((value) =>
      value
        .split(",")
        .map((name) => name.trim())
        .filter((name) => name !== ""),
    )
    .pipe(z.array(z.string()).min(1, "name at least one client")),
  /** Plain-HTTP port of the webhook's /healthz, /readyz and /metrics (never the HTTPS port). */
  SVCTOKENS_WEBHOOK_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  SVCTOKENS_LAST_USED_FLUSH_SECONDS: seconds(60),
  /** Operator-wide maximum token lifetime; tokens that never expire are refused when set. */
  SVCTOKENS_MAX_TOKEN_LIFETIME_DAYS: z.coerce.number().int().min(1).max(365).optional(),
  /** The controller's username: the only identity the webhook lets change the operator's Secrets. */
  SVCTOKENS_CONTROLLER_USERNAME: z
    .string()
    .min(1)
    .default("system:serviceaccount:svctokens-system:svctokens-controller"),
  /** How long the webhook caches an "is this user an Admin" answer (0: ask every time). */
  SVCTOKENS_ADMIN_CHECK_CACHE_SECONDS: z.coerce.number().int().min(0).max(300).default(5),
  /**
   * Admin checks (SubjectAccessReviews) a replica may start in a burst, and how many per
   * second refill the budget. When it is spent, admission that needs one is denied (fail
   * closed) until it refills: a flood of made-up requesters cannot flood kube-apiserver.
   */
  SVCTOKENS_ADMIN_CHECK_BURST: z.coerce.number().int().min(1).max(10_000).default(50),
  SVCTOKENS_ADMIN_CHECKS_PER_SECOND: z.coerce.number().positive().max(10_000).default(10),

  // Lifecycle policies (controller; docs/decisions.md 54-56).
  /** An Active token not used for this long (never used: counted from generation) is unused. */
  SVCTOKENS_UNUSED_AFTER_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  /** When set, the controller revokes tokens unused for this long (spec.revoked: true). */
  SVCTOKENS_REVOKE_UNUSED_AFTER_DAYS: z.coerce.number().int().min(1).max(3650).optional(),
  /** When set, the controller deletes tokens Expired for this long (0: at expiry). */
  SVCTOKENS_DELETE_EXPIRED_AFTER_DAYS: z.coerce.number().int().min(0).max(3650).optional(),

  // Cache freshness (both processes).
  /**
   * A replica whose informers have not been known current (a list, or an open watch) for
   * longer than this reports not ready; the webhook then refuses decisions (fails closed).
   */
  SVCTOKENS_MAX_CACHE_STALENESS_SECONDS: seconds(DEFAULT_MAX_CACHE_STALENESS_SECONDS),
});

/** Parsed configuration. */
export type Config = z.infer<typeof configSchema>;

/** Thrown when the environment does not parse; its message lists every problem. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** Parses the environment (process.env by default) or throws a ConfigError. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const known = Object.fromEntries(
    Object.keys(configSchema.shape).map((key) => [key, env[key] === "" ? undefined : env[key]]),
  );
  const result = configSchema.safeParse(known);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) =>
      `  ${issue.path.join(".")}: ${issue.message} (got ${JSON.stringify(known[String(issue.path[0])])})`,
  );
  throw new ConfigError(`invalid configuration:\n${problems.join("\n")}`);
}

/**
 * A variable the user names on a command line (`kubectl svctokens inspect --from-env VAR`):
 * input, not configuration, read here so that no other file reads process.env.
 */
export function namedVariable(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  return env[name];
}
