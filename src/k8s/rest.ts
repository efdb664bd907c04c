// A small Kubernetes REST client over raw JSON: one keep-alive connection pool, the
// credentials of a client-node KubeConfig, and typed errors. Objects stay plain JSON so the
// same zod schemas validate lists, watch events and write results alike.
import { Agent, request, type RequestOptions } from "node:https";
import type { IncomingMessage } from "node:http";
import type { KubeConfig } from "@kubernetes/client-node";
import { KubeApiError } from "./errors.ts";

/** Content types of the patch flavours we use. */
export const PATCH = {
  apply: "application/apply-patch+yaml",
  merge: "application/merge-patch+json",
  json: "application/json-patch+json",
} as const;
export type PatchType = (typeof PATCH)[keyof typeof PATCH];

/** Sees every request's verb, path and HTTP status: the client's cost on the API server. */
export type RequestObserver = (method: string, path: string, status: number) => void;

const AUTH_REFRESH_MS = 60_000;

/** Raw JSON access to one API server. */
export class KubeRest {
  readonly #kubeConfig: KubeConfig;
  readonly #server: URL;
  #agent: Agent | undefined;
  #headers: Record<string, string> = {};
  #authLoadedAt = 0;
  #observer: RequestObserver | undefined;

  constructor(kubeConfig: KubeConfig, observer?: RequestObserver) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error("the kubeconfig has no current cluster");
    this.#kubeConfig = kubeConfig;
    this.#server = new URL(cluster.server);
    this.#observer = observer;
  }

  /** Sends a request and parses the JSON answer; non-2xx answers throw KubeApiError. */
  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    contentType = "application/json",
  ): Promise<T> {
    const text = await this.requestText(method, path, body, contentType);
    return (text ? JSON.parse(text) : {}) as T;
  }

  /** Like `request`, for a non-JSON answer (e.g. Prometheus text from /metrics). */
  async requestText(
    method: string,
    path: string,
    body?: unknown,
    contentType = "application/json",
  ): Promise<string> {
    const res = await this.#send(method, path, body, contentType);
    const text = await readBody(res);
    const status = res.statusCode ?? 0;
    this.#observer?.(method, path, status);
    if (status < 200 || status >= 300) throw KubeApiError.fromResponse(method, path, status, text);
    return text;
  }

  /** Opens a streaming GET (for watches); the caller reads and closes the response. */
  async stream(path: string, signal: AbortSignal): Promise<IncomingMessage> {
    const res = await this.#send("GET", path, undefined, "application/json", signal);
    const status = res.statusCode ?? 0;
    if (status !== 200) throw KubeApiError.fromResponse("GET", path, status, await readBody(res));
    return res;
  }

  /** Closes pooled connections (at shutdown). */
  close(): void {
    this.#agent?.destroy();
  }

  async #options(): Promise<RequestOptions> {
    // Credentials can rotate (projected ServiceAccount tokens): reload them now and then.
    if (!this.#agent || Date.now() - this.#authLoadedAt > AUTH_REFRESH_MS) {
      const opts: RequestOptions = {};
      await this.#kubeConfig.applyToHTTPSOptions(opts);
      this.#agent?.destroy();
      this.#agent = new Agent({
        keepAlive: true,
        maxSockets: 32,
        ca: opts.ca,
        cert: opts.cert,
        key: opts.key,
        rejectUnauthorized: opts.rejectUnauthorized ?? true,
      });
      this.#headers = Object.fromEntries(
        Object.entries(opts.headers ?? {}).map(([k, v]) => [k, String(v)]),
      );
      this.#authLoadedAt = Date.now();
    }
    return { agent: this.#agent, headers: this.#headers };
  }

  async #send(
    method: string,
    path: string,
    body: unknown,
    contentType: string,
    signal?: AbortSignal,
  ): Promise<IncomingMessage> {
    const { agent, headers } = await this.#options();
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const url = new URL(path, this.#server);
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          agent,
          signal,
          headers: {
            ...headers,
            Accept: "application/json",
            ...(payload === undefined
              ? {}
              : { "Content-Type": contentType, "Content-Length": Buffer.byteLength(payload) }),
          },
        },
        resolve,
      );
      req.on("error", (error) =>
        reject(
          new KubeApiError(0, "NoAnswer", `${method} ${path}: ${error.message}`, { cause: error }),
        ),
      );
      req.end(payload);
    });
  }
}

async function readBody(res: IncomingMessage): Promise<string> {
  res.setEncoding("utf8");
  let text = "";
  for await (const chunk of res) text += chunk as string;
  return text;
}
