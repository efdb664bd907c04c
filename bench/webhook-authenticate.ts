// Benchmark: /authenticate and /verify against the floor — a bare node:https server answering a
// fixed answer of the same size — in one run, with the same client, at 1, 4 and 16 keep-alive
// connections and 100, 10k and 100k tokens; plus the product's RSS with its real informers
// holding those tokens. Each server and the client run in their own process.
// `npm run bench:webhook [-- --seconds 3 --reps 3 --tokens 100,10000,100000 --connections 1,4,16
//   --heap deployed|default --settle 15]`
// Prints figures only (no pass/fail); bench/README.md says how to read them.
import { parseArgs } from "node:util";
import { createCertificateAuthority } from "../src/tls/pki.ts";
import type { FixedAnswer, ServerOrder, ServerReady } from "./webhook/bench-server.ts";
import {
  ask,
  child,
  fetchAnswer,
  measure,
  median,
  requestsFor,
  ROUTES,
  successMark,
  type Measured,
} from "./webhook/harness.ts";
import type { LoadOrder, LoadReport } from "./webhook/load-client.ts";
import { DEPLOYED_HEAP_FLAGS } from "./webhook/memory.ts";

const { values: args } = parseArgs({
  options: {
    seconds: { type: "string", default: "3" },
    warmup: { type: "string", default: "1" },
    settle: { type: "string", default: "15" },
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
interface Cell {
  floor: Measured[];
  product: Measured[];
}
const rate = (r: LoadReport): number => r.requests / r.seconds;

const ca = await createCertificateAuthority("svctokens-bench-ca");
const pair = await ca.issue({ usage: "server", commonName: "bench", ipAddresses: ["127.0.0.1"] });
const client = child("./load-client.ts");
const seconds = Number(args.seconds);
const reps = Number(args.reps);
const minRatioAt10k: number[] = [];
let rssAt100k: number | undefined;

say(
  `bench:webhook: ${seconds} s per measurement (+${args.warmup} s warm-up; ${args.settle} s per route to settle first), ${reps} rep(s), load ${(
    await import("node:os")
  )
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(
      " ",
    )}, heap ${heapFlags.length > 0 ? `as deployed (${heapFlags.join(" ")})` : "Node's default"}`,
);
for (const tokens of list(args.tokens)) {
  const product = child("./bench-server.ts", ["--expose-gc", ...heapFlags]);
  const ready = await ask<ServerReady>(product, {
    mode: "product",
    tokens,
    certPem: pair.certPem,
    keyPem: pair.keyPem,
  } satisfies ServerOrder);
  const answers: Record<string, FixedAnswer> = {};
  for (const route of ROUTES)
    answers[route] = await fetchAnswer(ready.port, ca.certPem, requestsFor(route, tokens)[0] ?? "");
  const floor = child("./bench-server.ts", ["--expose-gc", ...heapFlags]);
  const floorReady = await ask<ServerReady>(floor, {
    mode: "floor",
    answers,
    certPem: pair.certPem,
    keyPem: pair.keyPem,
  } satisfies ServerOrder);
  say(
    `\n${tokens} tokens: product synced in ${((ready.syncMs ?? 0) / 1000).toFixed(1)} s, rss ${ready.rssMb} MB (heap ${ready.heapUsedMb} MB; ${ready.reducedRssMb} MB after a memory-reducing GC); floor rss ${floorReady.rssMb} MB; answer ${answers["/authenticate"]?.body.length} B`,
  );
  // Both servers serve each route for --settle seconds before the first measured cell: the
  // product's handler reaches optimized code only after ~10–15 s of load (record 68), and a
  // webhook in service is past that; the figures are for the steady state.
  for (const route of ROUTES) {
    for (const [server, port] of [
      [floor, floorReady.port],
      [product, ready.port],
    ] as const) {
      await measure(client, server, {
        port,
        caPem: ca.certPem,
        requests: requestsFor(route, tokens),
        success: successMark(route),
        seconds: 1,
        connections: 4,
        warmupSeconds: Number(args.settle),
      });
    }
  }
  say(
    "route          conns |   floor/s  p50 ms  p99 ms  µs/req |  product/s  p50 ms  p99 ms  µs/req | ratio  cpu | client",
  );
  for (const route of ROUTES) {
    const requests = requestsFor(route, tokens);
    const success = successMark(route);
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
        cell.floor.push(await measure(client, floor, order(floorReady.port)));
        cell.product.push(await measure(client, product, order(ready.port)));
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
