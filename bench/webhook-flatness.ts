// Benchmark: does the webhook answer as fast holding 100k tokens as holding 100? The floor and
// the whole product at each size, each in a process of its own, all warmed up first, then
// loaded in turn over several rounds so that a busy moment of a shared machine falls on all of
// them alike (as bench:webhook:stages does); medians of each server's throughput and CPU time per
// answer. bench:webhook measures the sizes minutes apart, where this machine's drift is larger
// than the difference sought.
// `npm run bench:webhook:flatness [-- --route /authenticate --sizes 100,100000 --rounds 6 --seconds 3 --warmup 8 --connections 4]`
// Prints figures only (no pass/fail); bench/README.md says how to read them.
import type { ChildProcess } from "node:child_process";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { createCertificateAuthority } from "../src/tls/pki.ts";
import type { ServerOrder, ServerReady } from "./webhook/bench-server.ts";
import {
  ROUTES,
  ask,
  child,
  fetchAnswer,
  measure,
  median,
  requestsFor,
  successMark,
  type Measured,
  type Route,
} from "./webhook/harness.ts";
import { DEPLOYED_HEAP_FLAGS } from "./webhook/memory.ts";

const { values: args } = parseArgs({
  options: {
    route: { type: "string", default: "/authenticate" },
    sizes: { type: "string", default: "100,100000" },
    rounds: { type: "string", default: "6" },
    seconds: { type: "string", default: "3" },
    warmup: { type: "string", default: "8" },
    connections: { type: "string", default: "4" },
  },
});
const say = (message: string): boolean => process.stdout.write(`${message}\n`);
const route = args.route as Route;
if (!ROUTES.includes(route)) throw new Error(`--route must be one of ${ROUTES.join(", ")}`);
const sizes = args.sizes.split(",").map(Number);
const SERVER_FLAGS = ["--expose-gc", ...DEPLOYED_HEAP_FLAGS];

const ca = await createCertificateAuthority("svctokens-bench-ca");
const pair = await ca.issue({ usage: "server", commonName: "bench", ipAddresses: ["127.0.0.1"] });
const tls = { certPem: pair.certPem, keyPem: pair.keyPem };

say(
  `bench:webhook:flatness: ${route}, ${sizes.join(" and ")} tokens, ${args.connections} connections, ${args.rounds} rounds of ${args.seconds} s after ${args.warmup} s of warm-up each; load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
interface Server {
  name: string;
  process: ChildProcess;
  port: number;
  /** The requests it is sent: each product's over its own whole token set. */
  requests: string[];
}
const servers: Server[] = [];
const start = async (name: string, order: ServerOrder, requests: string[]): Promise<number> => {
  const process = child("./bench-server.ts", SERVER_FLAGS);
  const ready = await ask<ServerReady>(process, order);
  servers.push({ name, process, port: ready.port, requests });
  return ready.port;
};
for (const tokens of sizes) {
  await start(
    `product, ${tokens} tokens`,
    { mode: "product", tokens, ...tls, stage: "app" },
    requestsFor(route, tokens),
  );
}
const first = servers[0];
if (!first) throw new Error("--sizes names no size");
const answer = await fetchAnswer(first.port, ca.certPem, first.requests[0] ?? "");
await start("floor (bare node:https)", { mode: "floor", answers: { [route]: answer }, ...tls }, [
  ...first.requests,
]);
servers.unshift(servers.pop() as Server);

const client = child("./load-client.ts");
const results = new Map<string, Measured[]>(servers.map((server) => [server.name, []]));
const load = (server: Server, seconds: number, warmupSeconds: number) => ({
  port: server.port,
  caPem: ca.certPem,
  requests: server.requests,
  success: successMark(route),
  seconds,
  connections: Number(args.connections),
  warmupSeconds,
});
for (const server of servers) {
  await measure(client, server.process, load(server, 1, Number(args.warmup)));
}
for (let round = 0; round < Number(args.rounds); round++) {
  for (const server of servers) {
    const run = await measure(client, server.process, load(server, Number(args.seconds), 0.5));
    results.get(server.name)?.push(run);
  }
}

const figures = servers.map((server) => {
  const runs = results.get(server.name) ?? [];
  return {
    name: server.name,
    runs,
    rate: median(runs.map((r) => r.requests / r.seconds)),
    cpu: median(runs.map((r) => r.serverCpuUs)),
    failures: runs.reduce((sum, r) => sum + r.failures, 0),
  };
});
const floor = figures[0];
say("server                      req/s (rounds)                          median  ×floor  cpu µs");
for (const figure of figures) {
  say(
    `${figure.name.padEnd(27)} ${figure.runs
      .map((r) => (r.requests / r.seconds).toFixed(0))
      .join("/")
      .padEnd(39)} ${figure.rate.toFixed(0).padStart(6)}  ${(figure.rate / (floor?.rate ?? 1))
      .toFixed(2)
      .padStart(6)}  ${figure.cpu.toFixed(0).padStart(6)}${
      figure.failures > 0 ? ` (${figure.failures} failures!)` : ""
    }`,
  );
}
const smallest = figures[1];
const largest = figures.at(-1);
if (smallest && largest && smallest !== largest) {
  // Per round, so that each ratio compares two loads a few seconds apart.
  const perRound = largest.runs.map(
    (run, round) =>
      run.requests /
      run.seconds /
      ((smallest.runs[round]?.requests ?? 1) / (smallest.runs[round]?.seconds ?? 1)),
  );
  // The CPU time per answer moves less between rounds than requests/s (the load client and
  // other processes share the cores): its ratio is the steadier reading of the same question.
  const cpuRatio = smallest.cpu / largest.cpu;
  say(
    `webhook ${route}: throughput at ${sizes.at(-1)} tokens ${(100 * median(perRound)).toFixed(0)} % of the throughput at ${sizes[0]} (median of per-round ratios ${perRound.map((r) => r.toFixed(2)).join("/")}); cpu per answer ${largest.cpu.toFixed(0)} vs ${smallest.cpu.toFixed(0)} µs: ${(100 * cpuRatio).toFixed(0)} %`,
  );
}
for (const server of servers) server.process.send({ mode: "exit" } satisfies ServerOrder);
client.kill();
