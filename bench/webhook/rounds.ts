// Servers loaded in turn, round after round: what bench:webhook:stages and
// bench:webhook:flatness share. Each server runs in a process of its own with the deployed heap;
// all are warmed up first, then each round loads every server once, so that a busy moment of a
// shared machine falls on all of them alike.
import type { ChildProcess } from "node:child_process";
import { createCertificateAuthority } from "../../src/tls/pki.ts";
import type { ServerOrder, ServerReady } from "./bench-server.ts";
import { ask, child, measure, type Measured } from "./harness.ts";
import { DEPLOYED_HEAP_FLAGS } from "./memory.ts";

const SERVER_FLAGS = ["--expose-gc", ...DEPLOYED_HEAP_FLAGS];

export interface RoundServer {
  name: string;
  process: ChildProcess;
  port: number;
  /** The requests it is sent. */
  requests: string[];
}

export interface RoundsOptions {
  rounds: number;
  /** Each server's load per round. */
  seconds: number;
  /** Each server's warm-up before the first round. */
  warmupSeconds: number;
  connections: number;
  /** Bytes every successful answer contains. */
  success: string;
}

/** A CA and a server certificate for 127.0.0.1, made for this run. */
export async function benchTls(): Promise<{
  caPem: string;
  tls: { certPem: string; keyPem: string };
}> {
  const ca = await createCertificateAuthority("svctokens-bench-ca");
  const pair = await ca.issue({ usage: "server", commonName: "bench", ipAddresses: ["127.0.0.1"] });
  return { caPem: ca.certPem, tls: { certPem: pair.certPem, keyPem: pair.keyPem } };
}

/** Starts a bench server in its own process and waits until it listens. */
export async function startServer(
  name: string,
  order: ServerOrder,
  requests: string[],
): Promise<RoundServer> {
  const process = child("./bench-server.ts", SERVER_FLAGS);
  const ready = await ask<ServerReady>(process, order);
  return { name, process, port: ready.port, requests };
}

/** Warms every server up, then loads them in turn; each server's runs, in round order. */
export async function loadInRounds(
  servers: RoundServer[],
  caPem: string,
  options: RoundsOptions,
): Promise<Map<RoundServer, Measured[]>> {
  const client = child("./load-client.ts");
  const load = (server: RoundServer, seconds: number, warmupSeconds: number) => ({
    port: server.port,
    caPem,
    requests: server.requests,
    success: options.success,
    seconds,
    connections: options.connections,
    warmupSeconds,
  });
  const results = new Map<RoundServer, Measured[]>(servers.map((server) => [server, []]));
  for (const server of servers) {
    await measure(client, server.process, load(server, 1, options.warmupSeconds));
  }
  for (let round = 0; round < options.rounds; round++) {
    for (const server of servers) {
      const run = await measure(client, server.process, load(server, options.seconds, 0.5));
      results.get(server)?.push(run);
    }
  }
  client.kill();
  return results;
}

export function stopServers(servers: RoundServer[]): void {
  for (const server of servers) server.process.send({ mode: "exit" } satisfies ServerOrder);
}
