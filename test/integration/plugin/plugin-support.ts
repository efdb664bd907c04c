// Runs the real plugin the way a person does: `kubectl svctokens …` with the repo's bin/ on
// PATH (kubectl's plugin discovery finds bin/kubectl-svctokens), as the user of a kubeconfig.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Writable } from "node:stream";
import { pino, type Logger } from "pino";
import { expect } from "vitest";
import { addUser } from "../support/cluster.ts";
import type { KubectlResult } from "../support/kubectl.ts";
import type { Api } from "../support/resources.ts";
import { RUN_LABEL, type WebhookRun } from "../webhook/webhook-run.ts";

/** The folder holding kubectl-svctokens. */
export const PLUGIN_BIN = fileURLToPath(new URL("../../../bin", import.meta.url));

export interface PluginCall {
  input?: string;
  env?: Record<string, string>;
  cwd?: string;
}

/** `kubectl svctokens args…` as the user of `kubeconfig`; never throws on a non-zero exit. */
export async function svctokens(
  kubeconfig: string,
  args: string[],
  call: PluginCall = {},
): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile(
      "kubectl",
      ["svctokens", ...args],
      {
        env: {
          ...process.env,
          PATH: `${PLUGIN_BIN}:${process.env.PATH ?? ""}`,
          KUBECONFIG: kubeconfig,
          ...call.env,
        },
        cwd: call.cwd,
        timeout: 90_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(call.input ?? "");
  });
}

/** Asserts the exit code, showing what the plugin said when it differs. */
export function expectExit(result: KubectlResult, code: number): void {
  expect(result.code, `exit code; stderr: ${result.stderr}`).toBe(code);
}

/** `--label` that puts an object under the run's admission and clean-up. */
export const runLabel = (run: WebhookRun): string[] => ["--label", `${RUN_LABEL}=${run.run}`];

/** A client-certificate user and its kubeconfig; bound to `clusterRole` when given. */
export async function personKubeconfig(
  run: WebhookRun,
  name: string,
  clusterRole?: string,
): Promise<string> {
  const kubeconfig = await addUser({ name, groups: [] });
  if (clusterRole !== undefined) await run.bind(name, clusterRole);
  return kubeconfig;
}

/** A logger that keeps every line (debug and up) for searching after the test. */
export function capturingLogger(): { log: Logger; text: () => string } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString("utf8"));
      done();
    },
  });
  return { log: pino({ level: "debug" }, sink), text: () => lines.join("") };
}

/**
 * Everything the cluster stores that could hold a token value, as text: every Secret (raw and
 * decoded), ConfigMap, Event, ServiceToken and ServiceUser in every namespace.
 */
export async function clusterTexts(api: Api): Promise<{ texts: string[]; secrets: number }> {
  const paths = [
    "/api/v1/secrets",
    "/api/v1/configmaps",
    "/api/v1/events",
    "/apis/svctokens.dev/v1alpha1/servicetokens",
    "/apis/svctokens.dev/v1alpha1/serviceusers",
  ];
  const raw = await Promise.all(paths.map((path) => api.rest.requestText("GET", path)));
  const secrets = (JSON.parse(raw[0] ?? "{}") as { items: { data?: Record<string, string> }[] })
    .items;
  const decoded = secrets.flatMap((secret) =>
    Object.values(secret.data ?? {}).map((v) => Buffer.from(v, "base64").toString("utf8")),
  );
  return { texts: [...raw, ...decoded], secrets: secrets.length };
}
