// Benchmark: /authenticate and /verify against the floor — a bare node:https server answering a
// fixed answer of the same size — in one run, with the same client, at 1, 4 and 16 keep-alive
// connections and 100, 10k and 100k tokens; plus the product's RSS with its real informers
// holding those tokens. Each server and the client run in their own process.
// `npm run bench:webhook [-- --seconds 3 --reps 3 --tokens 100,10000,100000 --connections 1,4,16
//   --heap deployed|default]`
// Prints figures only (no pass/fail); bench/README.md says how to read them.
import { fork, type ChildProcess } from "node:child_process";
import { request } from "node:https";
import { parseArgs } from "node:util";
import { createCertificateAuthority } from "../src/tls/pki.ts";
import type { FixedAnswer, ServerCpu, ServerOrder, ServerReady } from "./webhook/bench-server.ts";
import type { LoadOrder, LoadReport } from "./webhook/load-client.ts";
import { DEPLOYED_HEAP_FLAGS } from "./webhook/memory.ts";
import { tokenValue } from "./webhook/synthetic-cluster.ts";

const { values: args } = parseArgs({
  options: {
    seconds: { type: "string", default: "3" },
    warmup: { type: "string", default: "1" },
    reps: { type: "string", default: "1" },
    tokens: { type: "string", default: "100,10000,100000" },
    connections: { type: "string", default: "1,4,16" },
    heap: { type: "string", default: "deployed" },
  },
});
/** The servers' heap: sized as in the webhook's container (memory.ts), or Node's default here. */
const heapFlags = args.heap === "default" ? [] : DEPLOYED_HEAP_FLAGS;
const list = (text: string): number[] => text.split(",").map(Number);
const say = (message: string): boolean => process.stdout.write(`${message}\n`);
const ROUTES = ["/authenticate", "/verify"] as const;
type Route = (typeof ROUTES)[number];
/** Tokens the client cycles through, spread over the whole set (not only the first ones). */
const SAMPLE = 2000;

const child = (file: string, execArgv: string[] = []): ChildProcess =>
  fork(new URL(file, import.meta.url).pathname, [], {
    execArgv: [...process.execArgv, ...execArgv],
  });
const ask = <T>(process: ChildProcess, message: unknown): Promise<T> =>
  new Promise((resolve, reject) => {
    const exited = (code: number | null): void => reject(new Error(`child exited with ${code}`));
    process.once("exit", exited);
    process.once("message", (answer) => {
      process.off("exit", exited);
      resolve(answer as T);
    });
    process.send(message as object);
  });

function requestsFor(route: Route, tokens: number): string[] {
  const step = Math.max(1, Math.floor(tokens / SAMPLE));
  const indices = Array.from({ length: Math.min(SAMPLE, tokens) }, (_, k) => k * step);
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

/** One answer of the product, to be copied by the floor. */
function fetchAnswer(port: number, caPem: string, raw: string): Promise<FixedAnswer> {
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

/** One load run against one server, and that server's CPU time per answer (µs). */
interface Measured extends LoadReport {
  serverCpuUs: number;
}
interface Cell {
  floor: Measured[];
  product: Measured[];
}
const rate = (r: LoadReport): number => r.requests / r.seconds;

/** A load run, with the server's CPU time read before and after it. */
async function measure(server: ChildProcess, order: LoadOrder): Promise<Measured> {
  const before = await ask<ServerCpu>(server, { mode: "cpu" } satisfies ServerOrder);
  const report = await ask<LoadReport>(client, order);
  const after = await ask<ServerCpu>(server, { mode: "cpu" } satisfies ServerOrder);
  return {
    ...report,
    serverCpuUs: (after.cpuMicros - before.cpuMicros) / Math.max(1, report.allRequests),
  };
}
const median = (values: number[]): number =>
  values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

const ca = await createCertificateAuthority("svctokens-bench-ca");
const pair = await ca.issue({ usage: "server", commonName: "bench", ipAddresses: ["127.0.0.1"] });
const client = child("./webhook/load-client.ts");
const seconds = Number(args.seconds);
const reps = Number(args.reps);
const minRatioAt10k: number[] = [];
let rssAt100k: number | undefined;

say(
  `bench:webhook: ${seconds} s per measurement (+${args.warmup} s warm-up), ${reps} rep(s), load ${(
    await import("node:os")
  )
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(
      " ",
    )}, heap ${heapFlags.length > 0 ? `as deployed (${heapFlags.join(" ")})` : "Node's default"}`,
);
for (const tokens of list(args.tokens)) {
  const product = child("./webhook/bench-server.ts", ["--expose-gc", ...heapFlags]);
  const ready = await ask<ServerReady>(product, {
    mode: "product",
    tokens,
    certPem: pair.certPem,
    keyPem: pair.keyPem,
  } satisfies ServerOrder);
  const answers: Record<string, FixedAnswer> = {};
  for (const route of ROUTES)
    answers[route] = await fetchAnswer(ready.port, ca.certPem, requestsFor(route, tokens)[0] ?? "");
  const floor = child("./webhook/bench-server.ts", ["--expose-gc", ...heapFlags]);
  const floorReady = await ask<ServerReady>(floor, {
    mode: "floor",
    answers,
    certPem: pair.certPem,
    keyPem: pair.keyPem,
  } satisfies ServerOrder);
  say(
    `\n${tokens} tokens: product synced in ${((ready.syncMs ?? 0) / 1000).toFixed(1)} s, rss ${ready.rssMb} MB (heap ${ready.heapUsedMb} MB; ${ready.reducedRssMb} MB after a memory-reducing GC); floor rss ${floorReady.rssMb} MB; answer ${answers["/authenticate"]?.body.length} B`,
  );
  say(
    "route          conns |   floor/s  p50 ms  p99 ms  µs/req |  product/s  p50 ms  p99 ms  µs/req | ratio  cpu | client",
  );
  for (const route of ROUTES) {
    const requests = requestsFor(route, tokens);
    const success = route === "/verify" ? "HTTP/1.1 200" : '"authenticated":true';
    for (const connections of list(args.connections)) {
      const cell: Cell = { floor: [], product: [] };
      const order = (port: number): LoadOrder => ({
        port,
        caPem: ca.certPem,
        requests,
        success,
        seconds,
        connections,
        warmupSeconds: Number(args.warmup),
      });
      for (let rep = 0; rep < reps; rep++) {
        cell.floor.push(await measure(floor, order(floorReady.port)));
        cell.product.push(await measure(product, order(ready.port)));
      }
      const failures = [...cell.floor, ...cell.product].reduce((sum, r) => sum + r.failures, 0);
      const f = median(cell.floor.map(rate));
      const p = median(cell.product.map(rate));
      const ratio = p / f;
      if (tokens === 10_000) minRatioAt10k.push(ratio);
      const pct = (rs: Measured[], key: "p50Ms" | "p99Ms" | "serverCpuUs", digits = 2): string =>
        median(rs.map((r) => r[key]))
          .toFixed(digits)
          .padStart(7);
      const cpuRatio =
        median(cell.product.map((r) => r.serverCpuUs)) /
        median(cell.floor.map((r) => r.serverCpuUs));
      const clientCpu = Math.max(...[...cell.floor, ...cell.product].map((r) => r.clientCpu));
      say(
        `${route.padEnd(14)} ${String(connections).padStart(5)} | ${Math.round(f).toString().padStart(9)} ${pct(cell.floor, "p50Ms")} ${pct(cell.floor, "p99Ms")} ${pct(cell.floor, "serverCpuUs", 0)} | ` +
          `${Math.round(p).toString().padStart(10)} ${pct(cell.product, "p50Ms")} ${pct(cell.product, "p99Ms")} ${pct(cell.product, "serverCpuUs", 0)} | ${ratio.toFixed(2)} ${cpuRatio.toFixed(2)} | ${clientCpu.toFixed(2)}${failures > 0 ? ` (${failures} failures!)` : ""}`,
      );
    }
  }
  const after = await ask<ServerReady>(product, { mode: "memory" });
  say(
    `product rss after load ${after.rssMb} MB (heap ${after.heapUsedMb} MB; ${after.reducedRssMb} MB after a memory-reducing GC)`,
  );
  if (tokens === 100_000) rssAt100k = Math.max(ready.rssMb, after.rssMb);
  product.send({ mode: "exit" } satisfies ServerOrder);
  floor.send({ mode: "exit" } satisfies ServerOrder);
}
client.kill();
const minRatio = minRatioAt10k.length > 0 ? Math.min(...minRatioAt10k).toFixed(2) : "n/a";
say(
  `webhook: min throughput ratio product/floor ${minRatio} over 1/4/16 connections at 10000 tokens; rss at 100000 tokens ${rssAt100k ?? "n/a"} MB`,
);
