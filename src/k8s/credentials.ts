// Credentials for KubeRest, reloaded now and then without cutting connections in use.
// Tokens rotate (projected ServiceAccount tokens, exec plugins): they are headers, read again
// on a refresh and sent on the next request. TLS material (CA bundle, client certificate)
// lives in the connection pool: only when it really changed is a new pool built, and the old
// one keeps serving its open watches and requests until they end (it drains), then closes.
import { createHash } from "node:crypto";
import { Agent, type RequestOptions } from "node:https";
import type { ClusterAccess } from "./cluster-access.ts";

/** What one request needs: a connection pool and the authentication headers. */
export interface Credentials {
  readonly agent: Agent;
  readonly headers: Readonly<Record<string, string>>;
}

/** A request's hold on the credentials' pool; `release` once its response has ended. */
export interface CredentialLease extends Credentials {
  readonly release: () => void;
}

interface Loaded extends Credentials {
  /** Digest of the TLS material the agent was built from. */
  readonly tlsDigest: string;
  readonly loadedAt: number;
}

/** The client-go/client-node cadence for re-reading token files. */
export const CREDENTIAL_REFRESH_MS = 60_000;

/** Loads credentials from a kubeconfig and keeps them current. */
export class RefreshingCredentials {
  readonly #kubeConfig: ClusterAccess;
  readonly #refreshMs: number;
  readonly #now: () => number;
  #current: Loaded | undefined;
  /** The one refresh in progress: concurrent callers share it (single flight). */
  #loading: Promise<Loaded> | undefined;
  /** Requests in flight per pool; a retired pool closes when its count reaches zero. */
  readonly #inFlight = new Map<Agent, number>();
  readonly #retired = new Set<Agent>();
  #closed = false;

  constructor(kubeConfig: ClusterAccess, options: { refreshMs?: number; now?: () => number } = {}) {
    this.#kubeConfig = kubeConfig;
    this.#refreshMs = options.refreshMs ?? CREDENTIAL_REFRESH_MS;
    this.#now = options.now ?? Date.now;
  }

  /** Credentials for one request; a failed reload rejects (the next request tries again). */
  async acquire(): Promise<CredentialLease> {
    const loaded = await this.#fresh();
    const { agent } = loaded;
    this.#inFlight.set(agent, (this.#inFlight.get(agent) ?? 0) + 1);
    let released = false;
    return {
      agent,
      headers: loaded.headers,
      release: () => {
        if (released) return;
        released = true;
        const left = (this.#inFlight.get(agent) ?? 1) - 1;
        if (left > 0) this.#inFlight.set(agent, left);
        else this.#inFlight.delete(agent);
        if (left <= 0 && this.#retired.has(agent)) this.#closePool(agent);
      },
    };
  }

  /** Pools currently open: the current one plus retired ones still draining (for tests). */
  get openPools(): number {
    return (this.#current ? 1 : 0) + this.#retired.size;
  }

  /** Closes every pool at once, cutting what is still open (at shutdown). */
  close(): void {
    this.#closed = true;
    this.#current?.agent.destroy();
    for (const agent of this.#retired) agent.destroy();
    this.#retired.clear();
  }

  async #fresh(): Promise<Loaded> {
    const current = this.#current;
    if (current && this.#now() - current.loadedAt < this.#refreshMs) return current;
    this.#loading ??= this.#load().finally(() => (this.#loading = undefined));
    return this.#loading;
  }

  async #load(): Promise<Loaded> {
    const opts: RequestOptions = {};
    await this.#kubeConfig.applyToHTTPSOptions(opts);
    const headers = Object.fromEntries(
      Object.entries(opts.headers ?? {}).map(([name, value]) => [name, String(value)]),
    );
    const tls = {
      ca: opts.ca,
      cert: opts.cert,
      key: opts.key,
      servername: opts.servername,
      rejectUnauthorized: opts.rejectUnauthorized ?? true,
    };
    const tlsDigest = digest(tls);
    const previous = this.#current;
    const agent =
      previous?.tlsDigest === tlsDigest
        ? previous.agent
        : new Agent({ keepAlive: true, maxSockets: 32, ...tls });
    if (previous && previous.agent !== agent) this.#retire(previous.agent);
    if (this.#closed) agent.destroy();
    this.#current = { agent, headers, tlsDigest, loadedAt: this.#now() };
    return this.#current;
  }

  #retire(agent: Agent): void {
    if ((this.#inFlight.get(agent) ?? 0) === 0) {
      agent.destroy();
      return;
    }
    // Idle keep-alive sockets would never be reused: close them now, busy ones when done.
    this.#retired.add(agent);
    for (const sockets of Object.values(agent.freeSockets)) {
      for (const socket of sockets ?? []) socket.destroy();
    }
  }

  #closePool(agent: Agent): void {
    this.#retired.delete(agent);
    agent.destroy();
  }
}

/** A digest of TLS settings, so material is compared without being kept twice. */
function digest(tls: Record<string, unknown>): string {
  const hash = createHash("sha256");
  for (const [name, value] of Object.entries(tls)) {
    hash.update(`${name}\0`);
    for (const part of Array.isArray(value) ? value : [value]) {
      hash.update(Buffer.isBuffer(part) ? part : String(part));
      hash.update("\0");
    }
  }
  return hash.digest("hex");
}
