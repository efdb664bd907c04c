// The authenticator's O(1) lookup: token hash → hash record, kept current from the informer on
// hash-record Secrets. A record's hash can change in place (the token was regenerated), so the
// old hash is dropped on every update.
import { readTrustedHashRecord } from "../../domain/hash-record.ts";
import type { InformerEvent } from "../../k8s/informer.ts";
import type { KubeObject } from "../../k8s/object.ts";
import { tokenIdFromHash, type TokenHash } from "../../tokens/index.ts";
import type { CachedHashRecord } from "./facts.ts";
import { MultiMap } from "../../k8s/multi-map.ts";
import type { StringPool } from "./string-pool.ts";

/**
 * Hash records by Secret name, indexed by token id. A token id is the hash's first 16 hex
 * digits, so the records of a hash are those of its token id that hold it: one index, not two.
 */
export class HashRecordIndex {
  readonly #records = new Map<string, CachedHashRecord>();
  readonly #byTokenId = new MultiMap<CachedHashRecord>();
  readonly #strings: StringPool;

  constructor(strings: StringPool) {
    this.#strings = strings;
  }

  /**
   * Applies one informer event and returns the record now filed (if any); a Secret that is not a complete record the controller wrote,
   * under its canonical name, is dropped (it neither authenticates nor makes a hash ambiguous).
   */
  apply(event: InformerEvent<KubeObject>): CachedHashRecord | undefined {
    const name = event.object.metadata?.name;
    if (name === undefined) return undefined;
    const old = this.#records.get(name);
    if (old !== undefined) {
      this.#records.delete(name);
      this.#byTokenId.remove(old.tokenId, old);
    }
    const read = event.type === "upsert" ? readTrustedHashRecord(event.object) : undefined;
    if (read === undefined) return undefined;
    // A fresh object of exactly these fields: the record as read also carries two Dates.
    const record: CachedHashRecord = {
      name: read.name,
      hash: read.hash,
      tokenId: read.tokenId,
      tokenNamespace: this.#strings.intern(read.tokenNamespace),
      tokenName: read.tokenName,
      tokenUid: read.tokenUid,
      serviceUserUid: this.#strings.intern(read.serviceUserUid),
    };
    this.#records.set(name, record);
    this.#byTokenId.add(record.tokenId, record);
    return record;
  }

  /** The record named `name` (`token-<uid>`, `token-<uid>-previous`). */
  byName(name: string): CachedHashRecord | undefined {
    return this.#records.get(name);
  }

  /** Every record holding `hash`: normally one; more means an ambiguous, unusable hash. */
  lookup(hash: TokenHash): CachedHashRecord[] {
    return this.#byTokenId.get(tokenIdFromHash(hash)).filter((record) => record.hash === hash);
  }

  /** Every record whose token id (the hash's first 16 hex digits) is `tokenId`. */
  lookupByTokenId(tokenId: string): CachedHashRecord[] {
    return this.#byTokenId.get(tokenId);
  }

  get size(): number {
    return this.#records.size;
  }
}
