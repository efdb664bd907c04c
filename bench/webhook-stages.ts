// Benchmark: where the product's extra CPU per /authenticate answer goes. The floor (alone and
// with busy work added) and four stages of the product's handler (bench-server.ts, Stage), each
// in a process of its own, all warmed up first, then loaded in turn over several rounds so that
// a busy moment of a shared machine falls on all of them alike; medians of each server's CPU
// time per answer.
// `npm run bench:webhook:stages [-- --rounds 6 --seconds 3 --warmup 8 --connections 4 --tokens 10000 --work 10,20]`
// Prints figures only (no pass/fail); bench/README.md says how to read them.
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import type { ServerOrder, Stage } from "./webhook/bench-server.ts";
import { fetchAnswer, median, requestsFor, successMark } from "./webhook/harness.ts";
import {
  benchTls,
  loadInRounds,
  startServer,
  stopServers,
  type RoundServer,
} from "./webhook/rounds.ts";

const { values: args } = parseArgs({
  options: {
    rounds: { type: "string", default: "6" },
    seconds: { type: "string", default: "3" },
    warmup: { type: "string", default: "8" },
    connections: { type: "string", default: "4" },
    tokens: { type: "string", default: "10000" },
    work: { type: "string", default: "10,20" },
  },
});
const say = (message: string): boolean => process.stdout.write(`${message}\n`);
const tokens = Number(args.tokens);
const STAGES: Stage[] = ["floor", "lean", "read", "decide", "app"];
const { caPem, tls } = await benchTls();
const requests = requestsFor("/authenticate", tokens);

say(
  `bench:webhook:stages: ${tokens} tokens, ${args.connections} connections, ${args.rounds} rounds of ${args.seconds} s after ${args.warmup} s of warm-up each; load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
// The whole product first: its answer is what the floor and the partial stages send.
const servers: RoundServer[] = [];
const start = async (name: string, order: ServerOrder): Promise<RoundServer> => {
  const server = await startServer(name, order, requests);
  servers.push(server);
  return server;
};
const app = await start("product (app)", { mode: "product", tokens, ...tls, stage: "app" });
const answer = await fetchAnswer(app.port, caPem, requests[0] ?? "");
await start("floor (bare node:https)", {
  mode: "floor",
  answers: { "/authenticate": answer },
  ...tls,
});
// The floor with busy work added: what that much more work per request costs here (the client's
// wake-ups grow with the server's time per answer; record 86).
const workFloors = args.work === "" ? [] : args.work.split(",").map(Number);
for (const workMicros of workFloors) {
  await start(`floor + ${workMicros} µs work`, {
    mode: "floor",
    answers: { "/authenticate": answer },
    ...tls,
    workMicros,
  });
}
for (const stage of STAGES.filter((name) => name !== "app")) {
  await start(`product (${stage})`, { mode: "product", tokens, ...tls, stage, answer });
}
servers.sort((a, b) => order(a.name) - order(b.name));
const results = await loadInRounds(servers, caPem, {
  rounds: Number(args.rounds),
  seconds: Number(args.seconds),
  warmupSeconds: Number(args.warmup),
  connections: Number(args.connections),
  success: successMark("/authenticate"),
});

const floorUs = median(results.get(servers[0] as RoundServer)?.map((r) => r.serverCpuUs) ?? []);
say(
  "server                      cpu µs/answer (rounds)            median  ×floor  thread µs  req/s",
);
for (const server of servers) {
  const runs = results.get(server) ?? [];
  const cpu = median(runs.map((r) => r.serverCpuUs));
  const failures = runs.reduce((sum, r) => sum + r.failures, 0);
  say(
    `${server.name.padEnd(27)} ${runs
      .map((r) => r.serverCpuUs.toFixed(0))
      .join("/")
      .padEnd(
        33,
      )} ${cpu.toFixed(0).padStart(6)}  ${(cpu / floorUs).toFixed(2).padStart(6)}  ${median(
      runs.map((r) => r.serverThreadUs),
    )
      .toFixed(0)
      .padStart(9)}  ${median(runs.map((r) => r.requests / r.seconds))
      .toFixed(0)
      .padStart(5)}${failures > 0 ? ` (${failures} failures!)` : ""}`,
  );
}
stopServers(servers);

/** Floor first, then the floors with work, then the stages in the order they add work. */
function order(name: string): number {
  if (name.startsWith("floor + ")) return -1;
  const stage = STAGES.findIndex((s) => name === `product (${s})`);
  return stage < 0 ? -2 : stage;
}
