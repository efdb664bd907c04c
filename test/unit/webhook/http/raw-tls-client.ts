// A TLS client that writes exactly the bytes a test gives it and reads HTTP/1.1 answers off the
// wire: what the lean routes are tested with (node's client would normalise the requests).
import { connect, type TLSSocket } from "node:tls";
import type { KeyPairPem } from "../../../../src/tls/pki.ts";

/** One answer as it came: status, headers by lower-case name, body. */
export interface RawAnswer {
  status: number;
  headers: Map<string, string>;
  body: string;
}

export class RawTlsClient {
  readonly socket: TLSSocket;
  /** Resolves when the server ends or closes the connection. */
  readonly closed: Promise<void>;
  #received = Buffer.alloc(0);
  #answers: RawAnswer[] = [];
  #wake: (() => void) | undefined;
  /** Answers (by their index) that carry no body whatever their Content-Length (HEAD's). */
  readonly bodiless = new Set<number>();

  private constructor(socket: TLSSocket) {
    this.socket = socket;
    socket.on("data", (chunk: Buffer) => {
      this.#received = Buffer.concat([this.#received, chunk]);
      this.#parse();
      this.#wake?.();
    });
    this.closed = new Promise((resolve) => {
      socket.once("end", () => resolve());
      socket.once("close", () => resolve());
    });
    socket.on("error", () => undefined);
  }

  static connect(port: number, caPem: string, client?: KeyPairPem): Promise<RawTlsClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(
        {
          host: "127.0.0.1",
          port,
          ca: caPem,
          ...(client ? { cert: client.certPem, key: client.keyPem } : {}),
        },
        () => resolve(new RawTlsClient(socket)),
      );
      socket.once("error", reject);
    });
  }

  send(bytes: string | Buffer): void {
    this.socket.write(typeof bytes === "string" ? Buffer.from(bytes, "latin1") : bytes);
  }

  /** Waits for `count` answers in all (since the start), failing after `timeoutMs`. */
  async answers(count: number, timeoutMs = 5000): Promise<RawAnswer[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.#answers.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.#answers.length} of ${count} answers arrived`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.#answers.slice(0, count);
  }

  close(): void {
    this.socket.destroy();
  }

  #parse(): void {
    for (;;) {
      const end = this.#received.indexOf("\r\n\r\n");
      if (end < 0) return;
      const [statusLine = "", ...lines] = this.#received.toString("latin1", 0, end).split("\r\n");
      const headers = new Map<string, string>();
      for (const line of lines) {
        const colon = line.indexOf(":");
        headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
      }
      const length = this.bodiless.has(this.#answers.length)
        ? 0
        : Number(headers.get("content-length") ?? "0");
      if (this.#received.length < end + 4 + length) return;
      const body = this.#received.toString("utf8", end + 4, end + 4 + length);
      this.#received = this.#received.subarray(end + 4 + length);
      this.#answers.push({ status: Number(statusLine.split(" ")[1]), headers, body });
    }
  }
}
