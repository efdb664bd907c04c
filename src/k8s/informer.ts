// An informer: list, then watch, keeping an in-memory cache of one resource current.
// Restarts on any error with backoff, relists periodically (each relist re-announces every
// object, which is the controller's resync), and says when its cache first synced.
import type { Logger } from "pino";
import { setTimeout as sleep } from "node:timers/promises";
import { errorMessage } from "./errors.ts";
import { objectKey, type KubeObject } from "./object.ts";
import { resourcePath, withQuery, type ResourceRef } from "./paths.ts";
import type { KubeRest } from "./rest.ts";
import { watchEvents } from "./watch-stream.ts";

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
}

const WATCH_TIMEOUT_SECONDS = 290;
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 30_000;

/** A cache of one resource kept current by list + watch. */
export class Informer<T extends KubeObject = KubeObject> {
  readonly #options: InformerOptions;
  readonly #store = new Map<string, T>();
  readonly #handlers: ((event: InformerEvent<T>) => void)[] = [];
  readonly #abort = new AbortController();
  #synced = false;
  #running: Promise<void> | undefined;
  #resolveSynced!: () => void;
  /** Resolves once the first list has filled the cache. */
  readonly synced: Promise<void> = new Promise((resolve) => (this.#resolveSynced = resolve));

  constructor(options: InformerOptions) {
    this.#options = options;
  }

  /** Subscribes to changes; handlers run synchronously and must not throw. */
  onChange(handler: (event: InformerEvent<T>) => void): void {
    this.#handlers.push(handler);
  }

  /** True once the first list completed. */
  hasSynced(): boolean {
    return this.#synced;
  }

  /** The cached object with this key (`namespace/name` or `name`). */
  get(key: string): T | undefined {
    return this.#store.get(key);
  }

  /** Every cached object. */
  list(): T[] {
    return [...this.#store.values()];
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
    let failures = 0;
    while (!this.#abort.signal.aborted) {
      try {
        const resourceVersion = await this.#relist();
        failures = 0;
        await this.#watchUntil(resourceVersion, Date.now() + this.#options.relistIntervalMs);
      } catch (error) {
        if (this.#abort.signal.aborted) break;
        failures += 1;
        const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (failures - 1));
        const jittered = delay / 2 + Math.random() * (delay / 2);
        this.#options.log.warn(
          {
            resource: this.#options.resource.plural,
            err: errorMessage(error),
            retryInMs: Math.round(jittered),
          },
          "informer failed; restarting",
        );
        await sleep(jittered, undefined, { signal: this.#abort.signal }).catch(() => undefined);
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
    const list = await this.#options.rest.request<{
      items: T[];
      metadata: { resourceVersion: string };
    }>("GET", this.#collectionPath({}));
    const seen = new Set<string>();
    for (const item of list.items) {
      const key = objectKey(item);
      seen.add(key);
      this.#store.set(key, item);
      this.#emit({ type: "upsert", object: item });
    }
    for (const [key, object] of this.#store) {
      if (!seen.has(key)) {
        this.#store.delete(key);
        this.#emit({ type: "delete", object });
      }
    }
    if (!this.#synced) {
      this.#synced = true;
      this.#resolveSynced();
    }
    return list.metadata.resourceVersion;
  }

  /** Watches from `resourceVersion`, re-watching after normal ends, until `relistAt`. */
  async #watchUntil(resourceVersion: string, relistAt: number): Promise<void> {
    let version = resourceVersion;
    while (!this.#abort.signal.aborted && Date.now() < relistAt) {
      const seconds = Math.max(
        1,
        Math.min(WATCH_TIMEOUT_SECONDS, Math.ceil((relistAt - Date.now()) / 1000)),
      );
      const path = this.#collectionPath({
        watch: true,
        resourceVersion: version,
        allowWatchBookmarks: true,
        timeoutSeconds: seconds,
      });
      // A watch still open well past its server-side timeout is dead: abort it and re-watch.
      const inactivity = AbortSignal.timeout((seconds + 30) * 1000);
      const res = await this.#options.rest.stream(
        path,
        AbortSignal.any([this.#abort.signal, inactivity]),
      );
      for await (const event of watchEvents(res)) {
        if (event.type === "ERROR") {
          if (event.object.code === 410) return; // too old: relist
          throw new Error(`watch error: ${event.object.message ?? "unknown"}`);
        }
        version = event.object.metadata?.resourceVersion ?? version;
        if (event.type === "BOOKMARK") continue;
        const object = event.object as T;
        const key = objectKey(object);
        if (event.type === "DELETED") {
          this.#store.delete(key);
          this.#emit({ type: "delete", object });
        } else {
          this.#store.set(key, object);
          this.#emit({ type: "upsert", object });
        }
      }
    }
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
