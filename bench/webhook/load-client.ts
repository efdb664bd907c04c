// The load generator of bench:webhook, run as a child process so it never shares an event loop
// with a server: N keep-alive TLS connections, each sending one request at a time (requests
// prebuilt as bytes) and reading the answer with a minimal HTTP/1.1 parser. Lean on purpose: a
// slow client would flatten the difference between the floor and the product.
import { connect, type TLSSocket } from "node:tls";
import { performance } from "node:perf_hooks";

/** What to load and for how long. */
export interface LoadOrder {
  port: number;
  caPem: string;
  /** Whole HTTP requests, sent round-robin across connections. */
  requests: string[];
  /** Bytes every successful answer contains (status line included). */
  success: string;
  seconds: number;
  connections: number;
  /** Not counted: warms up connections, TLS sessions and the JIT. */
  warmupSeconds: number;
}

/** What a load run measured. */
export interface LoadReport {
  requests: number;
  failures: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Every answer, warm-up included (what the servers' CPU time is divided by). */
  allRequests: number;
  /** The client's CPU time over the counted seconds: near 1 means it saturates a core. */
  clientCpu: number;
}

const HEADER_END = Buffer.from("\r\n\r\n");

/** Reads one HTTP/1.1 answer with a Content-Length off a socket, and calls back with it. */
function answers(socket: TLSSocket, onAnswer: (answer: Buffer) => void): void {
  let buffered: Buffer = Buffer.alloc(0);
  socket.on("data", (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    for (;;) {
      const end = buffered.indexOf(HEADER_END);
      if (end < 0) return;
      const head = buffered.subarray(0, end).toString("latin1");
      const match = /\r\ncontent-length: *(\d+)/i.exec(head);
      const total = end + HEADER_END.length + Number(match?.[1] ?? 0);
      if (buffered.length < total) return;
      onAnswer(buffered.subarray(0, total));
      buffered = buffered.subarray(total);
    }
  });
}

async function load(order: LoadOrder): Promise<LoadReport> {
  const requests = order.requests.map((text) => Buffer.from(text));
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  let counting = false;
  let allRequests = 0;
  let cpuAtWarmEnd = process.cpuUsage();
  const warmEnd = performance.now() + order.warmupSeconds * 1000;
  const end = warmEnd + order.seconds * 1000;
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const socket = connect({ host: "127.0.0.1", port: order.port, ca: order.caPem });
      socket.setNoDelay(true);
      socket.on("error", reject);
      let sentAt = 0;
      const send = (): void => {
        const now = performance.now();
        if (now >= end) {
          socket.end();
          resolve();
          return;
        }
        if (!counting && now >= warmEnd) {
          counting = true;
          cpuAtWarmEnd = process.cpuUsage();
        }
        sentAt = now;
        socket.write(requests[next++ % requests.length] ?? Buffer.alloc(0));
      };
      answers(socket, (answer) => {
        allRequests++;
        if (counting) {
          latencies.push(performance.now() - sentAt);
          if (!answer.includes(order.success)) failures++;
        }
        send();
      });
      socket.once("secureConnect", send);
    });
  await Promise.all(Array.from({ length: order.connections }, one));
  const seconds = (performance.now() - Math.max(warmEnd, 0)) / 1000;
  const cpu = process.cpuUsage(cpuAtWarmEnd);
  const sorted = Float64Array.from(latencies).sort();
  const at = (p: number): number => sorted[Math.floor((sorted.length - 1) * p)] ?? 0;
  return {
    requests: latencies.length,
    failures,
    seconds,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: at(1),
    allRequests,
    clientCpu: (cpu.user + cpu.system) / 1e6 / seconds,
  };
}

process.on("message", (order: LoadOrder) => {
  load(order).then(
    (report) => process.send?.(report),
    (error: unknown) => {
      process.stderr.write(`load client failed: ${String(error)}\n`);
      process.exit(1);
    },
  );
});
