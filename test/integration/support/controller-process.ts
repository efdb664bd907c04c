// The controller as a separate process (`node src/controller/main.ts`), for tests that kill it.
import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freeLoopbackPort } from "../../../src/devenv/ports.ts";
import { controlPlane, eventually } from "./cluster.ts";
import { spawnOperatorProcess } from "./operator-process.ts";
import { samplesOf } from "./prometheus.ts";

const MAIN = fileURLToPath(new URL("../../../src/controller/main.ts", import.meta.url));

/** A running controller process. */
export interface ControllerProcess {
  name: string;
  child: ChildProcess;
  metricsPort: number;
  logFile: string;
  /** Prometheus text from its /metrics. */
  metrics(): Promise<string>;
  /** Writes (POST/PUT/PATCH/DELETE) it made, by resource, from its own request counter. */
  writes(): Promise<Map<string, number>>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** Starts a controller process under the given kubeconfig; resolves once it serves /readyz. */
export async function startControllerProcess(
  name: string,
  kubeconfig: string,
  env: Record<string, string> = {},
): Promise<ControllerProcess> {
  const metricsPort = await freeLoopbackPort();
  const logFile = join(controlPlane().logsDir, `controller-${name}.log`);
  const { child, exited } = spawnOperatorProcess(MAIN, `controller-${name}`, kubeconfig, {
    SVCTOKENS_POD_NAME: name,
    SVCTOKENS_CONTROLLER_METRICS_PORT: String(metricsPort),
    ...env,
  });
  const get = async (path: string): Promise<string> => {
    const res = await fetch(`http://127.0.0.1:${metricsPort}${path}`);
    if (!res.ok) throw new Error(`${path}: ${res.status}`);
    return res.text();
  };
  await eventually(
    `controller ${name} to be ready`,
    async () => (await get("/readyz")) || undefined,
    60_000,
  );
  return {
    name,
    child,
    metricsPort,
    logFile,
    metrics: () => get("/metrics"),
    writes: async () => writesFromMetrics(await get("/metrics")),
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** Sums svctokens_controller_api_requests_total for write verbs, by resource. */
export function writesFromMetrics(text: string): Map<string, number> {
  const writes = new Map<string, number>();
  for (const { labels, value } of samplesOf(text, "svctokens_controller_api_requests_total")) {
    if (!["POST", "PUT", "PATCH", "DELETE"].includes(labels.verb ?? "")) continue;
    const resource = labels.resource ?? "unknown";
    writes.set(resource, (writes.get(resource) ?? 0) + value);
  }
  return writes;
}
