// Benchmark: where the product's extra CPU per /authenticate answer goes. The floor and four
// stages of the product's handler (bench-server.ts, Stage), each in a process of its own, all
// warmed up first, then loaded in turn over several rounds so that a busy moment of a shared
// machine falls on all of them alike; medians of each server's CPU time per answer.
// `npm run bench:webhook:stages [-- --rounds 6 --seconds 3 --warmup 8 --connections 4 --tokens 10000]`
// Prints figures only (no pass/fail); bench/README.md says how to read them.
import type { ChildProcess } from "node:child_process";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { createCertificateAuthority } from "../src/tls/pki.ts";
import type { ServerOrder, ServerReady, Stage } from "./webhook/bench-server.ts";
import {
  ask,
  child,
  fetchAnswer,
  measure,
  median,
  requestsFor,
  successMark,
  type Measured,
} from "./webhook/harness.ts";
import { DEPLOYED_HEAP_FLAGS } from "./webhook/memory.ts";

const { values: args } = parseArgs({
  options: {
    rounds: { type: "string", default: "6" },
    seconds: { type: "string", default: "3" },
    warmup: { type: "string", default: "8" },
    connections: { type: "string", default: "4" },
    tokens: { type: "string", default: "10000" },
  },
});
const say = (message: string): boolean => process.stdout.write(`${message}\n`);
const tokens = Number(args.tokens);
const STAGES: Stage[] = ["floor", "read", "decide", "app"];
const SERVER_FLAGS = ["--expose-gc", ...DEPLOYED_HEAP_FLAGS];

const ca = await createCertificateAuthority("svctokens-bench-ca");
const pair = await ca.issue({ usage: "server", commonName: "bench", ipAddresses: ["127.0.0.1"] });
const tls = { certPem: pair.certPem, keyPem: pair.keyPem };
const requests = requestsFor("/authenticate", tokens);

say(
  `bench:webhook:stages: ${tokens} tokens, ${args.connections} connections, ${args.rounds} rounds of ${args.seconds} s after ${args.warmup} s of warm-up each; load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
// The whole product first: its answer is what the floor and the partial stages send.
const servers: { name: string; process: ChildProcess; port: number }[] = [];
const start = async (name: string, order: ServerOrder): Promise<ServerReady> => {
  const process = child("./bench-server.ts", SERVER_FLAGS);
  const ready = await ask<ServerReady>(process, order);
  servers.push({ name, process, port: ready.port });
  return ready;
};
const app = await start("product (app)", { mode: "product", tokens, ...tls, stage: "app" });
const answer = await fetchAnswer(app.port, ca.certPem, requests[0] ?? "");
await start("floor (bare node:https)", {
  mode: "floor",
  answers: { "/authenticate": answer },
  ...tls,
});
for (const stage of STAGES.filter((name) => name !== "app")) {
  await start(`product (${stage})`, { mode: "product", tokens, ...tls, stage, answer });
}
servers.sort((a, b) => order(a.name) - order(b.name));

const client = child("./load-client.ts");
const results = new Map<string, Measured[]>(servers.map((server) => [server.name, []]));
const load = (
  port: number,
  seconds: number,
  warmupSeconds: number,
): Parameters<typeof measure>[2] => ({
  port,
  caPem: ca.certPem,
  requests,
  success: successMark("/authenticate"),
  seconds,
  connections: Number(args.connections),
  warmupSeconds,
});
for (const server of servers)
  await measure(client, server.process, load(server.port, 1, Number(args.warmup)));
for (let round = 0; round < Number(args.rounds); round++) {
  for (const server of servers) {
    results
      .get(server.name)
      ?.push(await measure(client, server.process, load(server.port, Number(args.seconds), 0.5)));
  }
}

const floorUs = median(results.get(servers[0]?.name ?? "")?.map((r) => r.serverCpuUs) ?? []);
say(
  "server                      cpu µs/answer (rounds)            median  ×floor  thread µs  req/s",
);
for (const server of servers) {
  const runs = results.get(server.name) ?? [];
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
  server.process.send({ mode: "exit" } satisfies ServerOrder);
}
client.kill();

/** Floor first, then the stages in the order they add work. */
function order(name: string): number {
  const stage = STAGES.findIndex((s) => name === `product (${s})`);
  return stage < 0 ? -1 : stage;
}
