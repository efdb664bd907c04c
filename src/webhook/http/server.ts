// The HTTPS server around the app: TLS from reloadable files, client certificates requested
// (verified per route), header/request/idle timeouts, and a graceful close. With lean routes,
// each connection is served by them first (lean/lean-connection.ts) and goes to node's HTTP
// server at its first request they do not serve.
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import type { Logger } from "pino";
import { readTlsFiles, TlsReloader, type TlsFiles } from "../../tls/tls-reloader.ts";
import { LeanConnection, type LeanServing } from "./lean/lean-connection.ts";
import type { LeanResponder } from "./lean/lean-routes.ts";

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
  /** The hot routes answered below node's HTTP server; without it node serves everything. */
  lean?: LeanResponder;
  tls: TlsFiles;
  host: string;
  /** 0 picks a free port. */
  port: number;
  log: Logger;
  tlsReloadIntervalMs?: number;
  timeouts?: Partial<ServerTimeouts>;
}

/** Longest request head the lean routes read (node's default maxHeaderSize). */
const LEAN_HEAD_LIMIT = 16 * 1024;
/** Largest body they read: a TokenReview is a few hundred bytes. */
const LEAN_BODY_LIMIT = 64 * 1024;

/** A listening HTTPS server. */
export class WebhookServer {
  readonly #server: Server;
  readonly #reloader: TlsReloader;
  readonly #state: { closing: boolean };
  readonly #lean: Set<LeanConnection>;

  private constructor(
    server: Server,
    reloader: TlsReloader,
    state: { closing: boolean },
    lean: Set<LeanConnection>,
  ) {
    this.#server = server;
    this.#reloader = reloader;
    this.#state = state;
    this.#lean = lean;
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
    const lean = new Set<LeanConnection>();
    if (options.lean !== undefined) {
      serveLeanFirst(
        server,
        {
          respond: options.lean,
          limits: { maxHeadBytes: LEAN_HEAD_LIMIT, maxBodyBytes: LEAN_BODY_LIMIT },
          partialMs: timeouts.headers,
          stalledMs: timeouts.request,
          keepAliveMs: timeouts.keepAlive,
          isClosing: () => state.closing,
          forget: (connection) => lean.delete(connection),
          log: options.log,
        },
        lean,
      );
    }
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
    return new WebhookServer(server, reloader, state, lean);
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
    for (const connection of this.#lean) connection.closeIfIdle();
    const deadline = setTimeout(() => {
      this.#server.closeAllConnections();
      for (const connection of this.#lean) connection.destroy();
    }, graceMs);
    deadline.unref();
    await closed;
    clearTimeout(deadline);
  }
}

/**
 * Puts the lean routes in front of https' own connection listener (node's HTTP server on this
 * socket), which takes each connection they hand off.
 */
function serveLeanFirst(
  server: Server,
  options: Omit<LeanServing, "handOff">,
  connections: Set<LeanConnection>,
): void {
  const listeners = server.listeners("secureConnection");
  const http = listeners[0];
  if (listeners.length !== 1 || http === undefined) {
    throw new Error(
      `node:https has ${listeners.length} secureConnection listeners where 1 was expected: this Node.js version is not supported`,
    );
  }
  server.removeListener("secureConnection", http as (socket: TLSSocket) => void);
  const serving: LeanServing = {
    ...options,
    handOff: (socket) => {
      http.call(server, socket);
    },
  };
  server.on("secureConnection", (socket: TLSSocket) => {
    if (serving.isClosing()) serving.handOff(socket);
    else connections.add(new LeanConnection(socket, serving));
  });
}
