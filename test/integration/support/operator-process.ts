// Starting one of the operator's entry points (src/*/main.ts) as a process of its own, as a
// container would: configured only by its environment, its output in the control plane's logs.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { join } from "node:path";
import { controlPlane } from "./cluster.ts";
import { OPERATOR_NAMESPACE } from "./operator.ts";

/** A spawned entry point and a promise that settles when it exits. */
export interface OperatorProcess {
  child: ChildProcess;
  exited: Promise<void>;
}

/** Runs `main` under `kubeconfig`, logging to `<logName>.log`; `env` adds to the shared settings. */
export function spawnOperatorProcess(
  main: string,
  logName: string,
  kubeconfig: string,
  env: Record<string, string>,
): OperatorProcess {
  const fd = openSync(join(controlPlane().logsDir, `${logName}.log`), "a");
  const child = spawn(process.execPath, [main], {
    stdio: ["ignore", fd, fd],
    env: {
      PATH: process.env.PATH,
      KUBECONFIG: kubeconfig,
      SVCTOKENS_NAMESPACE: OPERATOR_NAMESPACE,
      SVCTOKENS_LOG_LEVEL: "info",
      ...env,
    },
  });
  closeSync(fd);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return { child, exited };
}
