// What the webhook benchmarks share: their child processes, the requests the load client
// sends, the answer the floor copies, and one measured load run.
import { fork, type ChildProcess } from "node:child_process";
import { request } from "node:https";
import type { FixedAnswer, ServerCpu, ServerOrder } from "./bench-server.ts";
import type { LoadOrder, LoadReport } from "./load-client.ts";
import { tokenValue } from "./synthetic-cluster.ts";

export const ROUTES = ["/authenticate", "/verify"] as const;
export type Route = (typeof ROUTES)[number];
/** Tokens the client cycles through, spread over the whole set (not only the first ones). */
const SAMPLE = 2000;

/** A benchmark process (bench/webhook/<file>) with extra Node flags. */
export const child = (file: string, execArgv: string[] = []): ChildProcess =>
  fork(new URL(file, import.meta.url).pathname, [], {
    execArgv: [...process.execArgv, ...execArgv],
  });

/** Sends a message to a child and waits for its one answer. */
export const ask = <T>(process: ChildProcess, message: unknown): Promise<T> =>
  new Promise((resolve, reject) => {
    const exited = (code: number | null): void => reject(new Error(`child exited with ${code}`));
    process.once("exit", exited);
    process.once("message", (answer) => {
      process.off("exit", exited);
      resolve(answer as T);
    });
    process.send(message as object);
  });

/** Whole HTTP requests for `route`, one per sampled token (`sample` spread over the set). */
export function requestsFor(route: Route, tokens: number, sample = SAMPLE): string[] {
  const step = Math.max(1, Math.floor(tokens / sample));
  const indices = Array.from({ length: Math.min(sample, tokens) }, (_, k) => k * step);
  const common =
    "Host: 127.0.0.1\r\nUser-Agent: kube-apiserver-bench\r\nAccept: application/json, */*\r\n";
  return indices.map((i) => {
    if (route === "/verify") {
      return `GET /verify HTTP/1.1\r\n${common}Authorization: Bearer ${tokenValue(i)}\r\n\r\n`;
    }
    const body = JSON.stringify({
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenReview",
      metadata: { creationTimestamp: null },
      spec: { token: tokenValue(i) },
      status: { user: {} },
    });
    return (
      `POST /authenticate HTTP/1.1\r\n${common}Content-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
    );
  });
}

/** What every successful answer of `route` contains. */
export const successMark = (route: Route): string =>
  route === "/verify" ? "HTTP/1.1 200" : '"authenticated":true';

/** One answer of the product, to be copied by the floor. */
export function fetchAnswer(port: number, caPem: string, raw: string): Promise<FixedAnswer> {
  const [head = "", body = ""] = raw.split("\r\n\r\n");
  const [requestLine = "", ...headerLines] = head.split("\r\n");
  const [method, path] = requestLine.split(" ");
  const headers = Object.fromEntries(
    headerLines.map((line) => line.split(": ") as [string, string]),
  );
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, headers, ca: caPem }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
      res.on("end", () => {
        const copied = Object.entries(res.headers).filter(
          ([name]) => !["date", "connection", "keep-alive"].includes(name),
        );
        resolve({
          status: res.statusCode ?? 0,
          headers: Object.fromEntries(copied) as Record<string, string>,
          body: text,
        });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** A load run with the server's CPU time per answer (µs, warm-up included). */
export interface Measured extends LoadReport {
  serverCpuUs: number;
  /** The server's main thread alone (no compiler or GC helper threads). */
  serverThreadUs: number;
}

/** A load run, with the server's CPU time read before and after it. */
export async function measure(
  client: ChildProcess,
  server: ChildProcess,
  order: LoadOrder,
): Promise<Measured> {
  const before = await ask<ServerCpu>(server, { mode: "cpu" } satisfies ServerOrder);
  const report = await ask<LoadReport>(client, order);
  const after = await ask<ServerCpu>(server, { mode: "cpu" } satisfies ServerOrder);
  const answers = Math.max(1, report.allRequests);
  return {
    ...report,
    serverCpuUs: (after.cpuMicros - before.cpuMicros) / answers,
    serverThreadUs: (after.threadMicros - before.threadMicros) / answers,
  };
}

/** The middle value; of an even count, the mean of the two middle ones (0 for none). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const half = sorted.length >> 1;
  if (sorted.length % 2 === 1) return sorted[half] ?? 0;
  return sorted.length === 0 ? 0 : ((sorted[half - 1] ?? 0) + (sorted[half] ?? 0)) / 2;
}
