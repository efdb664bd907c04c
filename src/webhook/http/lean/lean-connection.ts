// One TLS connection served on the lean routes: requests are parsed and answered in order as
// their bytes arrive. The first request they do not serve (or one that is slow to arrive) hands
// the connection, with every byte not yet answered, to node's HTTP server, for good.
import { channel } from "node:diagnostics_channel";
import { performance } from "node:perf_hooks";
import type { TLSSocket } from "node:tls";
import type { Logger } from "pino";
import { errorMessage } from "../../../k8s/errors.ts";
import { statusBody, UNCACHED_JSON_HEADERS, type Answer } from "../http-errors.ts";
import { formatAnswer } from "./format-answer.ts";
import type { LeanResponder } from "./lean-routes.ts";
import { parseLeanRequest, type LeanLimits, type LeanRequest } from "./parse-request.ts";

/** What every lean connection of a server shares. */
export interface LeanServing {
  respond: LeanResponder;
  limits: LeanLimits;
  /** Gives the socket to node's HTTP server (https' own connection listener). */
  handOff(socket: TLSSocket): void;
  /** A request must arrive whole within this (ms) of its first bytes, or node takes it. */
  partialMs: number;
  /** A client that reads none of its answers for this long (ms) is disconnected. */
  stalledMs: number;
  /** Idle connections close after this (ms); as node's keepAliveTimeout. */
  keepAliveMs: number;
  /** While true, each answer is the connection's last. */
  isClosing(): boolean;
  /** Called once the connection is closed or handed off. */
  forget(connection: LeanConnection): void;
  log: Logger;
}

/**
 * Published for each lean answer while someone subscribes (bench:webhook-scale), as node's
 * `http.server.request.start` and `http.server.response.finish` are for node's routes.
 */
export const LEAN_ANSWER_CHANNEL = "svctokens.webhook.lean.answer";
const answerChannel = channel(LEAN_ANSWER_CHANNEL);

/** Where one lean answer's time went (performance.now() readings, ms). */
export interface LeanAnswerTimes {
  path: string;
  /** The request's first bytes arrived. */
  receivedAt: number;
  /** Its last bytes were parsed. */
  completedAt: number;
  /** The answer's bytes were ready. */
  answeredAt: number;
  /** They were handed to the socket. */
  writtenAt: number;
}

/** A request still partial after this many chunks goes to node (see #keepPartial). */
const MAX_PARTIAL_CHUNKS = 8;

const INTERNAL_ERROR: Answer = {
  status: 500,
  headers: UNCACHED_JSON_HEADERS,
  body: statusBody(500, "internal error"),
};

export class LeanConnection {
  readonly #socket: TLSSocket;
  readonly #serving: LeanServing;
  /** Bytes received and not yet answered. */
  #pending: Buffer | undefined;
  /** The partial request's deadline, or the stalled reader's: never both at once. */
  #deadline: NodeJS.Timeout | undefined;
  #waitingForDrain = false;
  #done = false;
  /** Chunks the request not yet answered has arrived in so far. */
  #partialChunks = 0;
  /** When the first request not yet answered began to arrive (read only with subscribers). */
  #receivedAt = 0;

  constructor(socket: TLSSocket, serving: LeanServing) {
    this.#socket = socket;
    this.#serving = serving;
    socket.on("data", this.#onData);
    socket.on("timeout", this.#onIdle);
    socket.on("error", this.#onError);
    socket.once("close", this.#onClose);
    socket.setTimeout(serving.keepAliveMs);
  }

  /** No request is partly received: closing now loses nothing. */
  get idle(): boolean {
    return this.#pending === undefined && !this.#waitingForDrain;
  }

  /** Ends the connection when idle; otherwise its next answer will (isClosing). */
  closeIfIdle(): void {
    if (this.idle && !this.#done) this.#socket.end();
  }

  destroy(): void {
    this.#socket.destroy();
  }

  readonly #onData = (chunk: Buffer): void => {
    // After a last answer, what else the client sends is not read.
    if (this.#done) return;
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending === undefined && answerChannel.hasSubscribers) this.#receivedAt = performance.now();
    this.#serve(pending === undefined ? chunk : Buffer.concat([pending, chunk]));
  };

  /** Answers each whole request in `bytes`; keeps a partial one; hands off at the first other. */
  #serve(bytes: Buffer): void {
    let rest = bytes;
    while (rest.length > 0) {
      if (this.#socket.writableNeedDrain) {
        this.#waitForDrain(rest);
        return;
      }
      const parsed = parseLeanRequest(rest, this.#serving.limits);
      if (parsed.kind === "incomplete") {
        this.#keepPartial(rest);
        return;
      }
      if (parsed.kind === "other") {
        this.#handOff(rest);
        return;
      }
      const { request } = parsed;
      const completedAt = answerChannel.hasSubscribers ? performance.now() : 0;
      const last = request.close || this.#serving.isClosing();
      const answer = this.#answer(request, last);
      if (answer === undefined) {
        this.#handOff(rest);
        return;
      }
      const answeredAt = completedAt === 0 ? 0 : performance.now();
      this.#socket.write(answer);
      if (completedAt !== 0) this.#publish(request.path, completedAt, answeredAt);
      if (last) {
        this.#finish();
        this.#socket.end();
        return;
      }
      rest = rest.subarray(request.length);
      this.#partialChunks = 0;
      // The next partial request, if any, gets a deadline of its own.
      this.#disarm();
    }
  }

  #publish(path: string, completedAt: number, answeredAt: number): void {
    const times: LeanAnswerTimes = {
      path,
      receivedAt: this.#receivedAt,
      completedAt,
      answeredAt,
      writtenAt: performance.now(),
    };
    answerChannel.publish(times);
    // The next request in the same bytes arrived with them; a later one sets its own.
    this.#receivedAt = completedAt;
  }

  /** The answer's bytes, or undefined: node's routes answer it. */
  #answer(request: LeanRequest, last: boolean): string | Buffer | undefined {
    const keepAlive = last ? undefined : Math.floor(this.#serving.keepAliveMs / 1000);
    try {
      const answer = this.#serving.respond(request, this.#socket);
      return answer && formatAnswer(answer, keepAlive, request.method === "HEAD");
    } catch (error) {
      this.#serving.log.error({ err: errorMessage(error) }, "request failed internally");
      return formatAnswer(INTERNAL_ERROR, keepAlive, request.method === "HEAD");
    }
  }

  #keepPartial(bytes: Buffer): void {
    // Each chunk copies and rescans what came before it: a request in many small pieces (a
    // byte per TLS record) would cost quadratic time here, so node's incremental parser
    // takes it instead. Node's own header and request timeouts take over either way.
    if (++this.#partialChunks > MAX_PARTIAL_CHUNKS) {
      this.#handOff(bytes);
      return;
    }
    this.#pending = bytes;
    this.#deadline ??= setTimeout(() => {
      const pending = this.#pending;
      this.#pending = undefined;
      this.#handOff(pending ?? Buffer.alloc(0));
    }, this.#serving.partialMs);
  }

  #disarm(): void {
    clearTimeout(this.#deadline);
    this.#deadline = undefined;
  }

  /**
   * The client reads slower than it sends: stop reading until the answers have gone out, and
   * disconnect it if they do not (node's server would too: it stops reading, then times out).
   */
  #waitForDrain(rest: Buffer): void {
    this.#pending = rest;
    this.#waitingForDrain = true;
    this.#socket.pause();
    this.#socket.once("drain", this.#onDrain);
    this.#disarm();
    this.#deadline = setTimeout(() => this.#socket.destroy(), this.#serving.stalledMs);
  }

  readonly #onDrain = (): void => {
    if (this.#done) return;
    this.#disarm();
    this.#waitingForDrain = false;
    const pending = this.#pending;
    this.#pending = undefined;
    this.#socket.resume();
    if (pending !== undefined) this.#serve(pending);
  };

  #handOff(rest: Buffer): void {
    this.#finish();
    const socket = this.#socket;
    socket.off("data", this.#onData);
    socket.off("timeout", this.#onIdle);
    socket.off("error", this.#onError);
    socket.off("close", this.#onClose);
    socket.off("drain", this.#onDrain);
    socket.setTimeout(0);
    if (rest.length > 0) socket.unshift(rest);
    // Node's server reads it from here, and pauses it itself when its answers pile up.
    if (socket.isPaused()) socket.resume();
    this.#serving.handOff(socket);
  }

  /** Stops timers and leaves the server's list of lean connections. */
  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#disarm();
    this.#serving.forget(this);
  }

  readonly #onIdle = (): void => {
    // A partial request or a stalled reader has its own deadline; an idle connection closes,
    // as node's keep-alive does.
    if (this.#deadline === undefined) this.#socket.destroy();
  };

  readonly #onError = (): void => {
    this.#socket.destroy();
  };

  readonly #onClose = (): void => {
    this.#finish();
  };
}
