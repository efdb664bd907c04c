// The authenticator's O(1) lookup: token hash → hash record, kept current from the informer on
// hash-record Secrets. A record's hash can change in place (the token was regenerated), so the
// old hash is dropped on every update.
import { readTrustedHashRecord, type HashRecord } from "../../domain/hash-record.ts";
import type { InformerEvent } from "../../k8s/informer.ts";
import type { KubeObject } from "../../k8s/object.ts";
import type { TokenHash } from "../../tokens/index.ts";
import { SecondaryIndex } from "../../k8s/secondary-index.ts";

/** Hash records by Secret name, indexed by hash. */
export class HashRecordIndex {
  readonly #records = new Map<string, HashRecord>();
  readonly #byHash = new SecondaryIndex();
  readonly #byTokenId = new SecondaryIndex();

  /**
   * Applies one informer event; a Secret that is not a complete record the controller wrote,
   * under its canonical name, is dropped (it neither authenticates nor makes a hash ambiguous).
   */
  apply(event: InformerEvent<KubeObject>): void {
    const name = event.object.metadata?.name;
    if (name === undefined) return;
    const record = event.type === "upsert" ? readTrustedHashRecord(event.object) : undefined;
    if (record === undefined) {
      this.#records.delete(name);
      this.#byHash.delete(name);
      this.#byTokenId.delete(name);
      return;
    }
    this.#records.set(name, record);
    this.#byHash.set(name, record.hash);
    this.#byTokenId.set(name, record.tokenId);
  }

  /** Every record holding `hash`: normally one; more means an ambiguous, unusable hash. */
  lookup(hash: TokenHash): HashRecord[] {
    const records: HashRecord[] = [];
    for (const name of this.#byHash.get(hash)) {
      const record = this.#records.get(name);
      if (record) records.push(record);
    }
    return records;
  }

  /** Every record whose token id (the hash's first 16 hex digits) is `tokenId`. */
  lookupByTokenId(tokenId: string): HashRecord[] {
    return this.#byTokenId.get(tokenId).flatMap((name) => this.#records.get(name) ?? []);
  }

  get size(): number {
    return this.#records.size;
  }
}
