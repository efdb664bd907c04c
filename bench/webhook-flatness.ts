// Benchmark: does the webhook answer as fast holding 100k tokens as holding 100? The floor and
// the whole product at each size, each in a process of its own, all warmed up first, then
// loaded in turn over several rounds so that a busy moment of a shared machine falls on all of
// them alike (as bench:webhook:stages does); medians of each server's throughput and CPU time per
// answer. bench:webhook measures the sizes minutes apart, where this machine's drift is larger
// than the difference sought.
// `npm run bench:webhook:flatness [-- --route /authenticate --sizes 100,100000 --rounds 6 --seconds 3 --warmup 8 --connections 4 --active 2000]`
// Prints figures only (no pass/fail); bench/README.md says how to read them.
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import {
  ROUTES,
  fetchAnswer,
  median,
  requestsFor,
  successMark,
  type Route,
} from "./webhook/harness.ts";
import { benchTls, loadInRounds, startServer, stopServers } from "./webhook/rounds.ts";

const { values: args } = parseArgs({
  options: {
    route: { type: "string", default: "/authenticate" },
    sizes: { type: "string", default: "100,100000" },
    rounds: { type: "string", default: "6" },
    seconds: { type: "string", default: "3" },
    warmup: { type: "string", default: "8" },
    connections: { type: "string", default: "4" },
    /** Distinct tokens each product is sent, spread over its set (fewer if the set is smaller). */
    active: { type: "string", default: "2000" },
  },
});
const say = (message: string): boolean => process.stdout.write(`${message}\n`);
const route = args.route as Route;
if (!ROUTES.includes(route)) throw new Error(`--route must be one of ${ROUTES.join(", ")}`);
const sizes = args.sizes.split(",").map(Number);
const { caPem, tls } = await benchTls();

say(
  `bench:webhook:flatness: ${route}, ${sizes.join(" and ")} tokens (${args.active} of each asked for), ${args.connections} connections, ${args.rounds} rounds of ${args.seconds} s after ${args.warmup} s of warm-up each; load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
// Each product is sent requests for `--active` tokens spread over its own whole set.
const products = [];
for (const tokens of sizes) {
  products.push(
    await startServer(
      `product, ${tokens} tokens`,
      { mode: "product", tokens, ...tls, stage: "app" },
      requestsFor(route, tokens, Number(args.active)),
    ),
  );
}
const first = products[0];
if (!first) throw new Error("--sizes names no size");
const answer = await fetchAnswer(first.port, caPem, first.requests[0] ?? "");
const floorServer = await startServer(
  "floor (bare node:https)",
  { mode: "floor", answers: { [route]: answer }, ...tls },
  [...first.requests],
);
const servers = [floorServer, ...products];
const results = await loadInRounds(servers, caPem, {
  rounds: Number(args.rounds),
  seconds: Number(args.seconds),
  warmupSeconds: Number(args.warmup),
  connections: Number(args.connections),
  success: successMark(route),
});

const figures = servers.map((server) => {
  const runs = results.get(server) ?? [];
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
stopServers(servers);
