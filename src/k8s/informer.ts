// An informer: list, then watch, keeping an in-memory cache of one resource current.
// Restarts on any error with backoff, relists periodically (each relist re-announces every
// object, which is the controller's resync), says when its cache first synced, and how long
// ago it was last known current (for readiness that drops when the cache goes stale).
import type { Logger } from "pino";
import { pause, systemClock, type Clock } from "./clock.ts";
import { DEFAULT_BACKOFF, backoffDelayMs, type BackoffPolicy } from "./backoff.ts";
import { errorMessage, isGone } from "./errors.ts";
import { InformerStore } from "./informer-store.ts";
import type { KubeObject } from "./object.ts";
import type { ObjectPacker } from "./packed-object.ts";
import { resourcePath, withQuery, type ResourceRef } from "./paths.ts";
import type { KubeRest } from "./rest.ts";
import { watchEvents, type WatchEvent } from "./watch-stream.ts";

/** What changed: the new object (or the last known one, for deletions). */
export type InformerEvent<T> = { type: "upsert"; object: T } | { type: "delete"; object: T };

/** How to inform on one resource. */
export interface InformerOptions {
  rest: KubeRest;
  resource: ResourceRef;
  /** Limit to one namespace (e.g. the operator's own); all namespaces when undefined. */
  namespace?: string | undefined;
  labelSelector?: string | undefined;
  /** e.g. `type=svctokens.dev/token-hash` for Secrets of one type. */
  fieldSelector?: string | undefined;
  /** Full relist (and resync of every consumer) at this interval. */
  relistIntervalMs: number;
  log: Logger;
  /** Time for relists, backoff and staleness (default: the system clock). */
  clock?: Clock | undefined;
  /** Restart delays after failures (default: the work queue's policy). */
  backoff?: BackoffPolicy | undefined;
  /** Jitter source in [0, 1) (default Math.random). */
  random?: (() => number) | undefined;
  /**
   * Applied to every object as it arrives, before it is cached or handed on: keeps only what
   * the consumer reads (the webhook trims managedFields and the like), so memory follows that.
   */
  transform?: ((object: KubeObject) => KubeObject) | undefined;
  /**
   * The store's key of an object (default objectKey): one that returns the same string every
   * time (a KeyPool's) lets the consumer's indexes and queues share it; one that returns the name
   * alone suits an informer of one namespace. `get` takes the same key.
   */
  keyOf?: ((object: KubeObject) => string) | undefined;
  /**
   * Keep each object packed (packed-object.ts) and rebuild it on `get`, `list` and deletions
   * announced by a relist: for objects read by key, or listed by key (`list(wanted)`, `keys`).
   */
  packer?: ObjectPacker | undefined;
  /** Lists in pages of this many objects (default 500), so a large list is never one body. */
  pageSize?: number | undefined;
  /**
   * "keys": the cache remembers only which objects exist (to announce those gone at a relist,
   * as `{metadata: {name, namespace}}`), for a consumer that keeps what it needs from the
   * events itself (the webhook's facts), so no object is held twice; `get` and `list` then
   * throw. `{held}`: as "keys", but the consumer says what it holds (name and namespace of each)
   * when a relist asks, and the informer keeps not even keys. Default "objects".
   */
  keep?: "objects" | "keys" | { held: () => Iterable<KubeObject> } | undefined;
}

/** Objects per list page: what client-go's reflector asks for. */
export const DEFAULT_LIST_PAGE_SIZE = 500;

const WATCH_TIMEOUT_SECONDS = 290;
/** A watch still open this long past its server-side timeout is dead: abort and re-watch. */
const WATCH_GRACE_MS = 30_000;

/** A cache of one resource kept current by list + watch. */
export class Informer<T extends KubeObject = KubeObject> {
  readonly #options: InformerOptions;
  readonly #store: InformerStore<T>;
  readonly #handlers: ((event: InformerEvent<T>) => void)[] = [];
  readonly #abort = new AbortController();
  readonly #clock: Clock;
  #synced = false;
  /** A watch is open: the cache follows the API server as it changes. */
  #watching = false;
  /** When the cache was last known current (a list, an event, a bookmark, a watch's end). */
  #currentAt: number | undefined;
  #running: Promise<void> | undefined;
  #resolveSynced!: () => void;
  /** Resolves once the first list has filled the cache. */
  readonly synced: Promise<void> = new Promise((resolve) => (this.#resolveSynced = resolve));

  constructor(options: InformerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#store = new InformerStore(options);
  }

  /** Subscribes to changes; handlers run synchronously and must not throw. */
  onChange(handler: (event: InformerEvent<T>) => void): void {
    this.#handlers.push(handler);
  }

  /** True once the first list completed. */
  hasSynced(): boolean {
    return this.#synced;
  }

  /**
   * How long the cache may have been missing changes: 0 while a watch is open, the time since
   * it was last known current otherwise, Infinity before the first list.
   */
  staleForMs(): number {
    if (this.#currentAt === undefined) return Number.POSITIVE_INFINITY;
    return this.#watching ? 0 : Math.max(0, this.#clock.now() - this.#currentAt);
  }

  /** The cached object with this key (`namespace/name`, or as `keyOf` makes it). */
  get(key: string): T | undefined {
    return this.#store.get(key);
  }

  /**
   * Every cached object, or those whose key `wanted` accepts: a packed store unpacks only
   * those.
   */
  list(wanted?: (key: string) => boolean): T[] {
    return this.#store.list(wanted);
  }

  /** The keys of the cached objects, as `keyOf` made them (nothing is unpacked). */
  keys(): string[] {
    return this.#store.keys();
  }

  get size(): number {
    return this.#store.size;
  }

  start(): void {
    this.#running ??= this.#run();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#running;
  }

  async #run(): Promise<void> {
    const { backoff = DEFAULT_BACKOFF, random = Math.random, log } = this.#options;
    let failures = 0;
    while (!this.#abort.signal.aborted) {
      try {
        const resourceVersion = await this.#relist();
        failures = 0;
        await this.#watchUntil(resourceVersion, this.#clock.now() + this.#options.relistIntervalMs);
      } catch (error) {
        if (this.#abort.signal.aborted) break;
        failures += 1;
        const retryInMs = backoffDelayMs(failures, random, backoff);
        log.warn(
          {
            resource: this.#options.resource.plural,
            err: errorMessage(error),
            retryInMs,
            failures,
          },
          "informer failed; restarting",
        );
        await pause(this.#clock, retryInMs, this.#abort.signal);
      }
    }
  }

  #collectionPath(query: Record<string, string | number | boolean | undefined>): string {
    const { resource, namespace, labelSelector, fieldSelector } = this.#options;
    return withQuery(resourcePath(resource, { namespace }), {
      labelSelector,
      fieldSelector,
      ...query,
    });
  }

  async #relist(): Promise<string> {
    const seen = new Set<string>();
    const limit = this.#options.pageSize ?? DEFAULT_LIST_PAGE_SIZE;
    let resourceVersion: string;
    let page: string | undefined;
    do {
      const list = await this.#options.rest.request<{
        items: T[];
        metadata: { resourceVersion: string; continue?: string };
      }>("GET", this.#collectionPath({ limit, continue: page }));
      for (const listed of list.items) {
        const item = this.#ingest(listed);
        const key = this.#store.keyOf(item);
        seen.add(key);
        this.#store.remember(key, item);
        this.#emit({ type: "upsert", object: item });
      }
      resourceVersion = list.metadata.resourceVersion;
      page = list.metadata.continue || undefined;
    } while (page !== undefined);
    for (const gone of this.#store.sweep(seen)) this.#emit({ type: "delete", object: gone });
    this.#currentAt = this.#clock.now();
    if (!this.#synced) {
      this.#synced = true;
      this.#resolveSynced();
    }
    return resourceVersion;
  }

  #ingest(object: T): T {
    return this.#options.transform ? (this.#options.transform(object) as T) : object;
  }

  /** Watches from `resourceVersion`, re-watching after normal ends, until `relistAt`. */
  async #watchUntil(resourceVersion: string, relistAt: number): Promise<void> {
    let version = resourceVersion;
    while (!this.#abort.signal.aborted && this.#clock.now() < relistAt) {
      const seconds = Math.max(
        1,
        Math.min(WATCH_TIMEOUT_SECONDS, Math.ceil((relistAt - this.#clock.now()) / 1000)),
      );
      const path = this.#collectionPath({
        watch: true,
        resourceVersion: version,
        allowWatchBookmarks: true,
        timeoutSeconds: seconds,
      });
      const inactivity = new AbortController();
      const cancelInactivity = this.#clock.schedule(
        () => inactivity.abort(new Error("watch silent past its timeout")),
        seconds * 1000 + WATCH_GRACE_MS,
      );
      try {
        const res = await this.#options.rest
          .stream(path, AbortSignal.any([this.#abort.signal, inactivity.signal]))
          .catch((error: unknown) => {
            if (isGone(error)) return undefined;
            throw error;
          });
        if (res === undefined) return; // too old: relist
        this.#watching = true;
        this.#currentAt = this.#clock.now();
        for await (const event of watchEvents(res)) {
          const next = this.#apply(event, version);
          if (next === undefined) return; // too old: relist
          version = next;
        }
      } finally {
        cancelInactivity();
        if (this.#watching) this.#currentAt = this.#clock.now();
        this.#watching = false;
      }
    }
  }

  /** Applies one watch event; the resourceVersion to resume from, undefined on 410 Gone. */
  #apply(event: WatchEvent, version: string): string | undefined {
    if (event.type === "ERROR") {
      if (event.object.code === 410) return undefined;
      throw new Error(`watch error: ${event.object.message ?? "unknown"}`);
    }
    this.#currentAt = this.#clock.now();
    const next = event.object.metadata?.resourceVersion ?? version;
    if (event.type === "BOOKMARK") return next;
    const object = this.#ingest(event.object as T);
    const key = this.#store.keyOf(object);
    if (event.type === "DELETED") {
      this.#store.forget(key);
      this.#emit({ type: "delete", object });
    } else {
      this.#store.remember(key, object);
      this.#emit({ type: "upsert", object });
    }
    return next;
  }

  #emit(event: InformerEvent<T>): void {
    for (const handler of this.#handlers) {
      try {
        handler(event);
      } catch (error) {
        this.#options.log.error({ err: errorMessage(error) }, "informer handler failed");
      }
    }
  }
}
