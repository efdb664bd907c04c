// The cluster facts the webhook decides on, built from informer events: objects are parsed
// once when they change, so a request only does map lookups. These maps hold the only copy of
// each object (the informers keep keys alone), trimmed and with repeated strings shared.
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
import { HashRecordIndex, type RecordedToken } from "./hash-index.ts";
import { MultiMap } from "../../k8s/multi-map.ts";
import { StringPool } from "../../k8s/string-pool.ts";

/** In-memory ClusterFacts, fed by `apply*` from the informers' change events. */
export class CachedFacts implements ClusterFacts {
  readonly #log: Logger;
  readonly #strings = new StringPool();
  readonly #records = new HashRecordIndex(this.#strings);
  /** Namespace → name → token: no `namespace/name` string per token. */
  readonly #tokens = new Map<string, Map<string, ServiceToken>>();
  #tokenCount = 0;
  readonly #users = new Map<string, ServiceUser>();
  readonly #tokensByUser = new MultiMap<ServiceToken>();
  readonly #tokensBySpecHash = new MultiMap<ServiceToken>();

  constructor(log: Logger) {
    this.#log = log;
  }

  applyHashRecord(event: InformerEvent<KubeObject>): void {
    const recorded = this.#records.apply(event);
    const token = recorded && this.serviceToken(recorded.tokenNamespace, recorded.tokenName);
    if (recorded !== undefined && token !== undefined) shareTokenStrings(token, recorded);
  }

  applyServiceToken(event: InformerEvent<KubeObject>): void {
    const { namespace = "", name = "" } = event.object.metadata ?? {};
    const token =
      event.type === "upsert" ? this.#parse(parseServiceToken, event.object) : undefined;
    // A relist re-announces every token: one held as it is stays (no churn, no new copy).
    if (token !== undefined && sameJson(token, this.serviceToken(namespace, name))) return;
    this.#forgetToken(namespace, name);
    if (token === undefined) return;
    this.#shareStrings(token);
    const recorded = this.#records.currentOf(token.metadata.uid ?? "");
    if (recorded !== undefined) shareTokenStrings(token, recorded);
    let inNamespace = this.#tokens.get(token.metadata.namespace);
    if (inNamespace === undefined) {
      inNamespace = new Map();
      this.#tokens.set(token.metadata.namespace, inNamespace);
    }
    inNamespace.set(token.metadata.name, token);
    this.#tokenCount += 1;
    this.#tokensByUser.add(token.spec.serviceUser, token);
    if (token.spec.tokenHash !== undefined) this.#tokensBySpecHash.add(token.spec.tokenHash, token);
  }

  applyServiceUser(event: InformerEvent<KubeObject>): void {
    const name = objectKey(event.object);
    const user = event.type === "upsert" ? this.#parse(parseServiceUser, event.object) : undefined;
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
    return this.#tokens.get(namespace)?.get(name);
  }

  serviceUser(name: string): ServiceUser | undefined {
    return this.#users.get(name);
  }

  tokensOfUser(serviceUser: string): readonly ServiceToken[] {
    return this.#tokensByUser.get(serviceUser);
  }

  tokensWithSpecHash(hash: TokenHash): readonly ServiceToken[] {
    return this.#tokensBySpecHash.get(hash);
  }

  /**
   * Every hash record and ServiceToken held, as `{metadata: {namespace, name}}`: what their
   * informers keep instead of keys of their own, to announce gone those a relist lacks.
   */
  *heldHashRecords(): Generator<KubeObject> {
    for (const name of this.#records.names()) yield { metadata: { name } };
  }

  *heldServiceTokens(): Generator<KubeObject> {
    for (const [namespace, byName] of this.#tokens) {
      for (const name of byName.keys()) yield { metadata: { namespace, name } };
    }
  }

  /** Cache sizes, for metrics and the benchmark. */
  sizes(): { hashRecords: number; serviceTokens: number; serviceUsers: number } {
    return {
      hashRecords: this.#records.size,
      serviceTokens: this.#tokenCount,
      serviceUsers: this.#users.size,
    };
  }

  #forgetToken(namespace: string, name: string): void {
    const inNamespace = this.#tokens.get(namespace);
    const old = inNamespace?.get(name);
    if (inNamespace === undefined || old === undefined) return;
    inNamespace.delete(name);
    if (inNamespace.size === 0) this.#tokens.delete(namespace);
    this.#tokenCount -= 1;
    this.#tokensByUser.remove(old.spec.serviceUser, old);
    if (old.spec.tokenHash !== undefined) this.#tokensBySpecHash.remove(old.spec.tokenHash, old);
  }

  // Fields many tokens repeat point at one string (the parsed object is ours to change).
  #shareStrings(token: ServiceToken): void {
    const strings = this.#strings;
    token.metadata.namespace = strings.intern(token.metadata.namespace);
    token.spec.serviceUser = strings.intern(token.spec.serviceUser);
    if (token.status === undefined) return;
    token.status.phase = strings.intern(token.status.phase);
    token.status.serviceUserUid = strings.intern(token.status.serviceUserUid);
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

/**
 * A token and its record name the same things (its name and uid) in strings parsed apart: when
 * they agree, both point at the record's copy. Equal values only, so no decision changes.
 */
function shareTokenStrings(token: ServiceToken, record: RecordedToken): void {
  const { metadata } = token;
  if (metadata.namespace !== record.tokenNamespace || metadata.name !== record.tokenName) return;
  if (metadata.uid !== record.tokenUid) return;
  metadata.name = record.tokenName;
  metadata.uid = record.tokenUid;
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
