// The cluster facts the webhook decides on, built from informer events: objects are parsed
// once when they change, so a request only does map lookups.
import type { Logger } from "pino";
import {
  InvalidObjectError,
  parseServiceToken,
  parseServiceUser,
  type ServiceToken,
  type ServiceUser,
} from "../../api/index.ts";
import type { HashRecord } from "../../domain/hash-record.ts";
import { errorMessage } from "../../k8s/errors.ts";
import type { InformerEvent } from "../../k8s/informer.ts";
import { objectKey, type KubeObject } from "../../k8s/object.ts";
import type { TokenHash } from "../../tokens/index.ts";
import type { ClusterFacts } from "./facts.ts";
import { HashRecordIndex } from "./hash-index.ts";
import { SecondaryIndex } from "../../k8s/secondary-index.ts";

/** In-memory ClusterFacts, fed by `apply*` from the informers' change events. */
export class CachedFacts implements ClusterFacts {
  readonly #log: Logger;
  readonly #records = new HashRecordIndex();
  readonly #tokens = new Map<string, ServiceToken>();
  readonly #users = new Map<string, ServiceUser>();
  readonly #tokensByUser = new SecondaryIndex();
  readonly #tokensBySpecHash = new SecondaryIndex();

  constructor(log: Logger) {
    this.#log = log;
  }

  applyHashRecord(event: InformerEvent<KubeObject>): void {
    this.#records.apply(event);
  }

  applyServiceToken(event: InformerEvent<KubeObject>): void {
    const key = objectKey(event.object);
    const token =
      event.type === "upsert" ? this.#parse(parseServiceToken, event.object) : undefined;
    if (token === undefined) {
      this.#tokens.delete(key);
      this.#tokensByUser.delete(key);
      this.#tokensBySpecHash.delete(key);
      return;
    }
    this.#tokens.set(key, token);
    this.#tokensByUser.set(key, token.spec.serviceUser);
    this.#tokensBySpecHash.set(key, token.spec.tokenHash);
  }

  applyServiceUser(event: InformerEvent<KubeObject>): void {
    const name = objectKey(event.object);
    const user = event.type === "upsert" ? this.#parse(parseServiceUser, event.object) : undefined;
    if (user === undefined) this.#users.delete(name);
    else this.#users.set(name, user);
  }

  recordsByHash(hash: TokenHash): readonly HashRecord[] {
    return this.#records.lookup(hash);
  }

  recordsByTokenId(tokenId: string): readonly HashRecord[] {
    return this.#records.lookupByTokenId(tokenId);
  }

  serviceToken(namespace: string, name: string): ServiceToken | undefined {
    return this.#tokens.get(`${namespace}/${name}`);
  }

  serviceUser(name: string): ServiceUser | undefined {
    return this.#users.get(name);
  }

  tokensOfUser(serviceUser: string): readonly ServiceToken[] {
    return this.#tokensAt(this.#tokensByUser.get(serviceUser));
  }

  tokensWithSpecHash(hash: TokenHash): readonly ServiceToken[] {
    return this.#tokensAt(this.#tokensBySpecHash.get(hash));
  }

  /** Cache sizes, for metrics and the benchmark. */
  sizes(): { hashRecords: number; serviceTokens: number; serviceUsers: number } {
    return {
      hashRecords: this.#records.size,
      serviceTokens: this.#tokens.size,
      serviceUsers: this.#users.size,
    };
  }

  #tokensAt(keys: readonly string[]): ServiceToken[] {
    return keys.flatMap((key) => this.#tokens.get(key) ?? []);
  }

  // An object the schema rejects is treated as absent: nothing authenticates through it.
  #parse<T>(parse: (obj: unknown) => T, obj: KubeObject): T | undefined {
    try {
      return parse(obj);
    } catch (error) {
      const message = error instanceof InvalidObjectError ? error.message : errorMessage(error);
      this.#log.warn({ object: objectKey(obj), err: message }, "ignoring an invalid object");
      return undefined;
    }
  }
}
