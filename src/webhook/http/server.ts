// The HTTPS server around the app: TLS from reloadable files, client certificates requested
// (verified per route), header/request/idle timeouts, and a graceful close.
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { readTlsFiles, TlsReloader, type TlsFiles } from "../../tls/tls-reloader.ts";

/** Timeouts, in milliseconds. */
export interface ServerTimeouts {
  /** TLS handshake must finish within this. */
  handshake: number;
  /** Request headers must arrive within this (slowloris). */
  headers: number;
  /** A whole request must arrive within this. */
  request: number;
  /**
   * Idle keep-alive connections close after this. Longer than Go's 90 s idle timeout, so
   * kube-apiserver closes first and never sends a POST on a connection we are closing.
   */
  keepAlive: number;
}

export const DEFAULT_TIMEOUTS: ServerTimeouts = {
  handshake: 10_000,
  headers: 10_000,
  request: 30_000,
  keepAlive: 100_000,
};

/** How to serve. */
export interface WebhookServerOptions {
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  tls: TlsFiles;
  host: string;
  /** 0 picks a free port. */
  port: number;
  log: Logger;
  tlsReloadIntervalMs?: number;
  timeouts?: Partial<ServerTimeouts>;
}

/** A listening HTTPS server. */
export class WebhookServer {
  readonly #server: Server;
  readonly #reloader: TlsReloader;
  readonly #state: { closing: boolean };

  private constructor(server: Server, reloader: TlsReloader, state: { closing: boolean }) {
    this.#server = server;
    this.#reloader = reloader;
    this.#state = state;
  }

  /** Reads the TLS files, listens, and starts watching the files. */
  static async start(options: WebhookServerOptions): Promise<WebhookServer> {
    const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    const material = await readTlsFiles(options.tls);
    const clientAuth = options.tls.clientCaFile !== undefined;
    const state = { closing: false };
    const server = createServer(
      {
        ...material,
        minVersion: "TLSv1.2",
        handshakeTimeout: timeouts.handshake,
        // Asked for, verified against the CA, but only /authenticate insists (app routes do).
        requestCert: clientAuth,
        rejectUnauthorized: false,
      },
      (req, res) => {
        // While closing, finish this request and let the client reconnect elsewhere.
        if (state.closing) res.setHeader("Connection", "close");
        options.handler(req, res);
      },
    );
    server.headersTimeout = timeouts.headers;
    server.requestTimeout = timeouts.request;
    server.keepAliveTimeout = timeouts.keepAlive;
    server.timeout = timeouts.keepAlive + timeouts.request;
    server.on("tlsClientError", (error) => {
      options.log.debug({ err: error.message }, "TLS handshake failed");
    });

    const reloader = new TlsReloader(
      options.tls,
      material,
      (next) => server.setSecureContext(next),
      options.log,
    );
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port, options.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    reloader.start(options.tlsReloadIntervalMs ?? 10_000);
    return new WebhookServer(server, reloader, state);
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** Reloads the TLS files now if they changed (the poller does this on its own too). */
  async reloadTls(): Promise<boolean> {
    return this.#reloader.check();
  }

  /**
   * Stops accepting connections, lets in-flight requests finish, and closes every connection
   * after `graceMs` at the latest.
   */
  async close(graceMs = 10_000): Promise<void> {
    this.#state.closing = true;
    this.#reloader.stop();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    const deadline = setTimeout(() => this.#server.closeAllConnections(), graceMs);
    deadline.unref();
    await closed;
    clearTimeout(deadline);
  }
}
