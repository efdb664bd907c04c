import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError, loadConfig, type Config } from "../../src/config.ts";

const DEFAULTS: Config = {
  SVCTOKENS_LOG_LEVEL: "info",
  KUBECONFIG: undefined,
  SVCTOKENS_NAMESPACE: "svctokens-system",
  SVCTOKENS_POD_NAME: undefined,
  SVCTOKENS_RESYNC_SECONDS: 600,
  SVCTOKENS_RECONCILE_CONCURRENCY: 8,
  SVCTOKENS_LEADER_ELECTION: true,
  SVCTOKENS_LEASE_NAME: "svctokens-controller",
  SVCTOKENS_LEASE_DURATION_SECONDS: 15,
  SVCTOKENS_LEASE_RENEW_SECONDS: 5,
  SVCTOKENS_CONTROLLER_METRICS_PORT: 8080,
  SVCTOKENS_WEBHOOK_PORT: 8443,
  SVCTOKENS_WEBHOOK_HOST: "0.0.0.0",
  SVCTOKENS_TLS_MODE: "files",
  SVCTOKENS_TLS_SECRET_NAME: "svctokens-webhook-tls",
  SVCTOKENS_TLS_DIR: "/tmp/svctokens-tls",
  SVCTOKENS_WEBHOOK_SERVICE_NAME: "svctokens-webhook",
  SVCTOKENS_WEBHOOK_CONFIGURATION_NAME: "svctokens",
  SVCTOKENS_TLS_CERT_FILE: "/etc/svctokens/tls/tls.crt",
  SVCTOKENS_TLS_KEY_FILE: "/etc/svctokens/tls/tls.key",
  SVCTOKENS_CLIENT_CA_FILE: undefined,
  SVCTOKENS_CLIENT_NAMES: ["kube-apiserver"],
  SVCTOKENS_WEBHOOK_METRICS_PORT: 8080,
  SVCTOKENS_LAST_USED_FLUSH_SECONDS: 60,
  SVCTOKENS_MAX_TOKEN_LIFETIME_DAYS: undefined,
  SVCTOKENS_CONTROLLER_USERNAME: "system:serviceaccount:svctokens-system:svctokens-controller",
  SVCTOKENS_ADMIN_CHECK_CACHE_SECONDS: 5,
  SVCTOKENS_ADMIN_CHECK_BURST: 50,
  SVCTOKENS_ADMIN_CHECKS_PER_SECOND: 10,
  SVCTOKENS_UNUSED_AFTER_DAYS: 90,
  SVCTOKENS_REVOKE_UNUSED_AFTER_DAYS: undefined,
  SVCTOKENS_DELETE_EXPIRED_AFTER_DAYS: undefined,
  SVCTOKENS_MAX_CACHE_STALENESS_SECONDS: 60,
};

/** The ConfigError loadConfig throws for this environment. */
function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("loadConfig accepted the environment");
}

describe("loadConfig", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("has a default for everything", () => {
    expect(loadConfig({})).toEqual(DEFAULTS);
  });

  it("ignores variables it does not know", () => {
    expect(loadConfig({ PATH: "/bin", SVCTOKENS_UNKNOWN: "x", HOME: "" })).toEqual(DEFAULTS);
  });

  it.each<{ name: string; env: NodeJS.ProcessEnv; expected: Partial<Config> }>([
    {
      name: "numbers from text",
      env: { SVCTOKENS_RESYNC_SECONDS: "30", SVCTOKENS_WEBHOOK_PORT: "9443" },
      expected: { SVCTOKENS_RESYNC_SECONDS: 30, SVCTOKENS_WEBHOOK_PORT: 9443 },
    },
    {
      name: "port 0 (any free port)",
      env: { SVCTOKENS_CONTROLLER_METRICS_PORT: "0" },
      expected: { SVCTOKENS_CONTROLLER_METRICS_PORT: 0 },
    },
    {
      name: "optional numbers",
      env: { SVCTOKENS_MAX_TOKEN_LIFETIME_DAYS: "90", SVCTOKENS_ADMIN_CHECK_CACHE_SECONDS: "0" },
      expected: { SVCTOKENS_MAX_TOKEN_LIFETIME_DAYS: 90, SVCTOKENS_ADMIN_CHECK_CACHE_SECONDS: 0 },
    },
    {
      name: "lifecycle policies (deleting at expiry is 0 days)",
      env: {
        SVCTOKENS_UNUSED_AFTER_DAYS: "30",
        SVCTOKENS_REVOKE_UNUSED_AFTER_DAYS: "120",
        SVCTOKENS_DELETE_EXPIRED_AFTER_DAYS: "0",
      },
      expected: {
        SVCTOKENS_UNUSED_AFTER_DAYS: 30,
        SVCTOKENS_REVOKE_UNUSED_AFTER_DAYS: 120,
        SVCTOKENS_DELETE_EXPIRED_AFTER_DAYS: 0,
      },
    },
    {
      name: "pinned client names, trimmed",
      env: { SVCTOKENS_CLIENT_NAMES: "kube-apiserver, apiserver-2 ,," },
      expected: { SVCTOKENS_CLIENT_NAMES: ["kube-apiserver", "apiserver-2"] },
    },
    {
      name: "a fractional Admin-check rate",
      env: { SVCTOKENS_ADMIN_CHECKS_PER_SECOND: "0.5", SVCTOKENS_ADMIN_CHECK_BURST: "5" },
      expected: { SVCTOKENS_ADMIN_CHECKS_PER_SECOND: 0.5, SVCTOKENS_ADMIN_CHECK_BURST: 5 },
    },
    {
      name: "bool true",
      env: { SVCTOKENS_LEADER_ELECTION: "true" },
      expected: { SVCTOKENS_LEADER_ELECTION: true },
    },
    {
      name: "bool false",
      env: { SVCTOKENS_LEADER_ELECTION: "false" },
      expected: { SVCTOKENS_LEADER_ELECTION: false },
    },
    {
      name: "bool 1",
      env: { SVCTOKENS_LEADER_ELECTION: "1" },
      expected: { SVCTOKENS_LEADER_ELECTION: true },
    },
    {
      name: "bool 0",
      env: { SVCTOKENS_LEADER_ELECTION: "0" },
      expected: { SVCTOKENS_LEADER_ELECTION: false },
    },
    {
      name: "strings as given",
      env: {
        SVCTOKENS_LOG_LEVEL: "debug",
        KUBECONFIG: "/home/me/.kube/config",
        SVCTOKENS_NAMESPACE: "ops",
        SVCTOKENS_POD_NAME: "svctokens-controller-0",
        SVCTOKENS_CLIENT_CA_FILE: "/ca.crt",
      },
      expected: {
        SVCTOKENS_LOG_LEVEL: "debug",
        KUBECONFIG: "/home/me/.kube/config",
        SVCTOKENS_NAMESPACE: "ops",
        SVCTOKENS_POD_NAME: "svctokens-controller-0",
        SVCTOKENS_CLIENT_CA_FILE: "/ca.crt",
      },
    },
    {
      // An empty variable (`FOO=` in a manifest) means unset: the default applies.
      name: "empty strings as unset",
      env: {
        SVCTOKENS_NAMESPACE: "",
        SVCTOKENS_RESYNC_SECONDS: "",
        SVCTOKENS_LEADER_ELECTION: "",
        SVCTOKENS_LOG_LEVEL: "",
        SVCTOKENS_POD_NAME: "",
        SVCTOKENS_MAX_TOKEN_LIFETIME_DAYS: "",
        KUBECONFIG: "",
      },
      expected: {},
    },
  ])("$name", ({ env, expected }) => {
    expect(loadConfig(env)).toEqual({ ...DEFAULTS, ...expected });
  });

  it.each<{ name: string; env: NodeJS.ProcessEnv; variable: string }>([
    {
      name: "not a number",
      env: { SVCTOKENS_RESYNC_SECONDS: "soon" },
      variable: "SVCTOKENS_RESYNC_SECONDS",
    },
    {
      name: "zero seconds",
      env: { SVCTOKENS_LEASE_RENEW_SECONDS: "0" },
      variable: "SVCTOKENS_LEASE_RENEW_SECONDS",
    },
    {
      name: "negative seconds",
      env: { SVCTOKENS_LAST_USED_FLUSH_SECONDS: "-5" },
      variable: "SVCTOKENS_LAST_USED_FLUSH_SECONDS",
    },
    {
      name: "a fraction",
      env: { SVCTOKENS_RECONCILE_CONCURRENCY: "2.5" },
      variable: "SVCTOKENS_RECONCILE_CONCURRENCY",
    },
    {
      name: "too much concurrency",
      env: { SVCTOKENS_RECONCILE_CONCURRENCY: "65" },
      variable: "SVCTOKENS_RECONCILE_CONCURRENCY",
    },
    {
      name: "port out of range",
      env: { SVCTOKENS_WEBHOOK_PORT: "70000" },
      variable: "SVCTOKENS_WEBHOOK_PORT",
    },
    {
      name: "lifetime over a year",
      env: { SVCTOKENS_MAX_TOKEN_LIFETIME_DAYS: "366" },
      variable: "SVCTOKENS_MAX_TOKEN_LIFETIME_DAYS",
    },
    {
      name: "unused after 0 days",
      env: { SVCTOKENS_UNUSED_AFTER_DAYS: "0" },
      variable: "SVCTOKENS_UNUSED_AFTER_DAYS",
    },
    {
      name: "revoking unused tokens at once",
      env: { SVCTOKENS_REVOKE_UNUSED_AFTER_DAYS: "0" },
      variable: "SVCTOKENS_REVOKE_UNUSED_AFTER_DAYS",
    },
    {
      name: "deleting expired tokens before expiry",
      env: { SVCTOKENS_DELETE_EXPIRED_AFTER_DAYS: "-1" },
      variable: "SVCTOKENS_DELETE_EXPIRED_AFTER_DAYS",
    },
    {
      name: "bool yes",
      env: { SVCTOKENS_LEADER_ELECTION: "yes" },
      variable: "SVCTOKENS_LEADER_ELECTION",
    },
    {
      name: "bool TRUE",
      env: { SVCTOKENS_LEADER_ELECTION: "TRUE" },
      variable: "SVCTOKENS_LEADER_ELECTION",
    },
    {
      name: "unknown log level",
      env: { SVCTOKENS_LOG_LEVEL: "loud" },
      variable: "SVCTOKENS_LOG_LEVEL",
    },
    {
      name: "cache over 300 s",
      env: { SVCTOKENS_ADMIN_CHECK_CACHE_SECONDS: "301" },
      variable: "SVCTOKENS_ADMIN_CHECK_CACHE_SECONDS",
    },
    {
      name: "no pinned client name",
      env: { SVCTOKENS_CLIENT_NAMES: " , " },
      variable: "SVCTOKENS_CLIENT_NAMES",
    },
    {
      name: "a zero Admin-check rate",
      env: { SVCTOKENS_ADMIN_CHECKS_PER_SECOND: "0" },
      variable: "SVCTOKENS_ADMIN_CHECKS_PER_SECOND",
    },
  ])("refuses $name, naming the variable and the value", ({ env, variable }) => {
    const error = configError(env);
    expect(error.name).toBe("ConfigError");
    expect(error.message).toContain(`${variable}: `);
    expect(error.message).toContain(`(got ${JSON.stringify(env[variable])})`);
  });

  it("lists every problem at once, one line each", () => {
    const error = configError({
      SVCTOKENS_RESYNC_SECONDS: "soon",
      SVCTOKENS_LEADER_ELECTION: "yes",
      SVCTOKENS_LOG_LEVEL: "loud",
      SVCTOKENS_WEBHOOK_PORT: "8443",
    });
    const lines = error.message.split("\n");
    expect(lines[0]).toBe("invalid configuration:");
    expect(lines.slice(1)).toHaveLength(3);
    for (const variable of [
      "SVCTOKENS_RESYNC_SECONDS",
      "SVCTOKENS_LEADER_ELECTION",
      "SVCTOKENS_LOG_LEVEL",
    ]) {
      expect(lines.filter((l) => l.trimStart().startsWith(`${variable}: `))).toHaveLength(1);
    }
    expect(error.message).not.toContain("SVCTOKENS_WEBHOOK_PORT");
  });

  it("reads process.env when given nothing", () => {
    vi.stubEnv("SVCTOKENS_RESYNC_SECONDS", "42");
    vi.stubEnv("SVCTOKENS_LEADER_ELECTION", "0");
    expect(loadConfig()).toMatchObject({
      SVCTOKENS_RESYNC_SECONDS: 42,
      SVCTOKENS_LEADER_ELECTION: false,
    });
  });
});
