// src/k8s/: Kubernetes plumbing: REST client, informers, paths, errors, time formats.
// A small Kubernetes REST client over raw JSON: keep-alive connection pools, the credentials
// of a kubeconfig (refreshed without cutting open watches, see credentials.ts),
// a User-Agent and field manager naming the caller, and typed errors. Objects stay plain JSON
// so the same zod schemas validate lists, watch events and write results alike.
import { request } from "node:https";
import type { IncomingMessage } from "node:http";
import type { ClusterAccess } from "./cluster-access.ts";
import { TOOL_CLIENT, type ClientIdentity } from "./client-identity.ts";
import { RefreshingCredentials } from "./credentials.ts";
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

/** How a KubeRest behaves beyond the KubeConfig. */
export interface KubeRestOptions {
  /** User-Agent and field manager; a developer-tool identity when omitted. */
  identity?: ClientIdentity;
  observer?: RequestObserver;
  /** How often credentials are read again (default 60 s). */
  credentialRefreshMs?: number;
  /** Time source for the refresh (default Date.now). */
  now?: () => number;
}

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH"]);

/**
 * The path with `fieldManager` added for writes that do not name one yet: every create,
 * update and patch (status and server-side apply included) then says who wrote it.
 */
export function withFieldManager(method: string, path: string, fieldManager: string): string {
  if (!WRITE_METHODS.has(method.toUpperCase())) return path;
  const query = path.indexOf("?");
  const params = new URLSearchParams(query < 0 ? "" : path.slice(query + 1));
  if (params.has("fieldManager")) return path;
  return `${path}${query < 0 ? "?" : "&"}fieldManager=${encodeURIComponent(fieldManager)}`;
}

/** Raw JSON access to one API server. */
export class KubeRest {
  readonly #server: URL;
  readonly #credentials: RefreshingCredentials;
  readonly #identity: ClientIdentity;
  readonly #observer: RequestObserver | undefined;

  constructor(kubeConfig: ClusterAccess, options: KubeRestOptions = {}) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error("the kubeconfig has no current cluster");
    this.#server = new URL(cluster.server);
    this.#credentials = new RefreshingCredentials(kubeConfig, {
      refreshMs: options.credentialRefreshMs,
      now: options.now,
    });
    this.#identity = options.identity ?? TOOL_CLIENT;
    this.#observer = options.observer;
  }

  /** Connection pools open: the current one plus retired ones still draining. */
  get openPools(): number {
    return this.#credentials.openPools;
  }

  /** Who this client says it is. */
  get identity(): ClientIdentity {
    return this.#identity;
  }

  /**
   * Sends a request and parses the JSON answer; non-2xx answers throw KubeApiError. `signal`
   * ends a request that has not been answered by then (a KubeApiError with no status).
   */
  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    contentType = "application/json",
    signal?: AbortSignal,
  ): Promise<T> {
    const text = await this.requestText(method, path, body, contentType, signal);
    return (text ? JSON.parse(text) : {}) as T;
  }

  /** Like `request`, for a non-JSON answer (e.g. Prometheus text from /metrics). */
  async requestText(
    method: string,
    path: string,
    body?: unknown,
    contentType = "application/json",
    signal?: AbortSignal,
  ): Promise<string> {
    const res = await this.#send(method, path, body, contentType, signal);
    const text = await readBody(res, method, path);
    const status = res.statusCode ?? 0;
    this.#observer?.(method, path, status);
    if (status < 200 || status >= 300) throw KubeApiError.fromResponse(method, path, status, text);
    return text;
  }

  /** Opens a streaming GET (for watches); the caller reads and closes the response. */
  async stream(path: string, signal: AbortSignal): Promise<IncomingMessage> {
    const res = await this.#send("GET", path, undefined, "application/json", signal);
    const status = res.statusCode ?? 0;
    if (status !== 200) {
      throw KubeApiError.fromResponse("GET", path, status, await readBody(res, "GET", path));
    }
    return res;
  }

  /** Closes pooled connections (at shutdown). */
  close(): void {
    this.#credentials.close();
  }

  async #send(
    method: string,
    path: string,
    body: unknown,
    contentType: string,
    signal?: AbortSignal,
  ): Promise<IncomingMessage> {
    let lease;
    try {
      lease = await this.#credentials.acquire();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new KubeApiError(0, "NoCredentials", `${method} ${path}: ${reason}`, { cause: error });
    }
    const { agent, headers, release } = lease;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const url = new URL(withFieldManager(method, path, this.#identity.fieldManager), this.#server);
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          agent,
          signal,
          headers: {
            ...headers,
            "User-Agent": this.#identity.userAgent,
            Accept: "application/json",
            ...(payload === undefined
              ? {}
              : { "Content-Type": contentType, "Content-Length": Buffer.byteLength(payload) }),
          },
        },
        resolve,
      );
      // The pool may close (if retired) only once this exchange is over, response included.
      req.once("close", release);
      req.on("error", (error) =>
        reject(
          new KubeApiError(0, "NoAnswer", `${method} ${path}: ${error.message}`, { cause: error }),
        ),
      );
      req.end(payload);
    });
  }
}

async function readBody(res: IncomingMessage, method: string, path: string): Promise<string> {
  res.setEncoding("utf8");
  let text = "";
  try {
    for await (const chunk of res) text += chunk as string;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new KubeApiError(0, "NoAnswer", `${method} ${path}: ${reason}`, { cause: error });
  }
  return text;
}
