// The cluster facts the webhook decides on, built from informer events: objects are parsed
// once when they change, so a request only does map lookups. These hold the only copy of each
// object (the informers keep keys alone), trimmed and with repeated strings shared; hash records
// and common ServiceTokens are kept by column (records 70 and 76).
import type { Logger } from "pino";
import {
  InvalidObjectError,
  parseServiceToken,
  parseServiceUser,
  type ServiceToken,
  type ServiceUser,
} from "../../api/index.ts";
import { errorMessage } from "../../k8s/errors.ts";
import type { InformerEvent } from "../../k8s/informer.ts";
import { objectKey, type KubeObject } from "../../k8s/object.ts";
import type { TokenHash } from "../../tokens/index.ts";
import type { CachedHashRecord, ClusterFacts } from "./facts.ts";
import { HashRecordIndex } from "./hash-index.ts";
import { ServiceTokenStore } from "./token-store.ts";
import { StringPool } from "../../k8s/string-pool.ts";
import { VerdictCache } from "../authn/verdict-cache.ts";

/** In-memory ClusterFacts, fed by `apply*` from the informers' change events. */
export class CachedFacts implements ClusterFacts {
  readonly #log: Logger;
  readonly #strings = new StringPool();
  readonly #records = new HashRecordIndex(this.#strings);
  /** Tokens by column (record 76), by namespace then name: no `namespace/name` per token. */
  readonly #tokens = new ServiceTokenStore(this.#strings);
  readonly #users = new Map<string, ServiceUser>();
  /** Kept successes: the events below forget those whose facts they change (see below). */
  readonly verdicts = new VerdictCache();

  constructor(log: Logger) {
    this.#log = log;
  }

  // Kept successes (verdicts) are forgotten by every event that changes what they were made of,
  // before the next request: requests and events run on one thread. An event that leaves the
  // facts as they were (a relist's re-announcement, a write of a field not kept here, such as a
  // ServiceUser's status) forgets nothing (record 91).

  applyHashRecord(event: InformerEvent<KubeObject>): void {
    const before = this.#records.changes;
    const recorded = this.#records.apply(event);
    // A deletion names the record alone, not its hash: any change forgets every kept success.
    if (this.#records.changes !== before) this.verdicts.forgetAll();
    if (recorded !== undefined) this.#tokens.shareRecordStrings(recorded);
  }

  applyServiceToken(event: InformerEvent<KubeObject>): void {
    const { namespace = "", name = "" } = event.object.metadata ?? {};
    const token =
      event.type === "upsert" ? this.#parse(parseServiceToken, event.object) : undefined;
    // A relist re-announces every token: one held as it is stays (no churn, no new copy).
    if (token !== undefined && sameJson(token, this.#tokens.peek(namespace, name))) return;
    this.verdicts.forgetToken(`${namespace}/${name}`);
    this.#tokens.remove(namespace, name);
    if (token === undefined) return;
    this.#tokens.add(token, this.#records.currentOf(token.metadata.uid ?? ""));
  }

  applyServiceUser(event: InformerEvent<KubeObject>): void {
    const name = objectKey(event.object);
    const user = event.type === "upsert" ? this.#parse(parseServiceUser, event.object) : undefined;
    if (user !== undefined && sameJson(user, this.#users.get(name))) return;
    this.verdicts.forgetUser(name);
    if (user === undefined) this.#users.delete(name);
    else this.#users.set(name, user);
  }

  recordsByHash(hash: TokenHash): readonly CachedHashRecord[] {
    return this.#records.lookup(hash);
  }

  recordsByTokenId(tokenId: string): readonly CachedHashRecord[] {
    return this.#records.lookupByTokenId(tokenId);
  }

  serviceToken(namespace: string, name: string): ServiceToken | undefined {
    return this.#tokens.get(namespace, name);
  }

  serviceUser(name: string): ServiceUser | undefined {
    return this.#users.get(name);
  }

  tokensOfUser(serviceUser: string): readonly ServiceToken[] {
    return this.#tokens.ofUser(serviceUser);
  }

  tokensWithSpecHash(hash: TokenHash): readonly ServiceToken[] {
    return this.#tokens.withSpecHash(hash);
  }

  /**
   * Every hash record and ServiceToken held, as `{metadata: {namespace, name}}`: what their
   * informers keep instead of keys of their own, to announce gone those a relist lacks.
   */
  *heldHashRecords(): Generator<KubeObject> {
    for (const name of this.#records.names()) yield { metadata: { name } };
  }

  *heldServiceTokens(): Generator<KubeObject> {
    yield* this.#tokens.held();
  }

  /** Cache sizes, for metrics and the benchmark. */
  sizes(): { hashRecords: number; serviceTokens: number; serviceUsers: number } {
    return {
      hashRecords: this.#records.size,
      serviceTokens: this.#tokens.size,
      serviceUsers: this.#users.size,
    };
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

/** Deep equality of parsed JSON values (plain objects, arrays, primitives; undefined = absent). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const recordA = a as Record<string, unknown>;
  const recordB = b as Record<string, unknown>;
  const keysA = Object.keys(recordA).filter((key) => recordA[key] !== undefined);
  const keysB = Object.keys(recordB).filter((key) => recordB[key] !== undefined);
  return (
    keysA.length === keysB.length && keysA.every((key) => sameJson(recordA[key], recordB[key]))
  );
}
