// The authenticator's O(1) lookup: token hash → hash record, kept current from the informer on
// hash-record Secrets. A record's hash can change in place (the token was regenerated), so the
// old hash is dropped on every update.
//
// Kept by column, not as one object per record (docs/decisions.md, record 70): its hash as 32
// bytes in one arena, its token's namespace, name and uid as references to strings the token
// shares. A record's name is `token-<uid>` or `token-<uid>-previous` of its token's uid (only
// such records are filed), so records are filed by uid and the name is not kept; its token id
// is the hash's first 16 hex digits, so records are found by a small integer made of the first
// seven (no string per record). A lookup builds the CachedHashRecord it hands out.
import {
  hashRecordName,
  previousHashRecordName,
  readTrustedHashRecord,
  type HashRecord,
} from "../../domain/hash-record.ts";
import type { InformerEvent } from "../../k8s/informer.ts";
import type { KubeObject } from "../../k8s/object.ts";
import { tokenIdFromHash, type TokenHash } from "../../tokens/index.ts";
import type { CachedHashRecord } from "./facts.ts";
import type { StringPool } from "../../k8s/string-pool.ts";

/** What a record names of its token: the very strings the index keeps, for the token to share. */
export interface RecordedToken {
  tokenNamespace: string;
  tokenName: string;
  tokenUid: string;
}

const HASH_BYTES = 32;
const HASH_PREFIX = "sha256:";
const NAME_PREFIX = hashRecordName("");
const PREVIOUS_SUFFIX = previousHashRecordName("").slice(NAME_PREFIX.length);
const EMPTY: readonly number[] = [];

const BUCKET_DIGITS = 7;

/** Each ASCII character code's value as a lowercase hex digit, -1 for any other. */
const HEX_VALUES = new Int8Array(128).fill(-1);
for (let value = 0; value < 16; value++) HEX_VALUES["0123456789abcdef".charCodeAt(value)] = value;

/**
 * The bucket of a token id (or a hash's digits) read from `text` at `from`: its first 7
 * lowercase hex digits, 28 bits, a number V8 keeps unboxed; -1 when they are not such digits.
 * Read digit by digit: no slice, no string, on every lookup.
 */
function bucketOf(text: string, from = 0): number {
  if (text.length < from + BUCKET_DIGITS) return -1;
  let key = 0;
  for (let i = from; i < from + BUCKET_DIGITS; i++) {
    const digit = HEX_VALUES[text.charCodeAt(i)] ?? -1;
    if (digit < 0) return -1;
    key = key * 16 + digit;
  }
  return key;
}

/** Bucket → the slots filed under it: a lone slot as itself, an array from the second on. */
class SlotBuckets {
  readonly #slots = new Map<number, number | number[]>();

  add(bucket: number, slot: number): void {
    const filed = this.#slots.get(bucket);
    if (filed === undefined) this.#slots.set(bucket, slot);
    else if (typeof filed === "number") this.#slots.set(bucket, [filed, slot]);
    else filed.push(slot);
  }

  remove(bucket: number, slot: number): void {
    const filed = this.#slots.get(bucket);
    if (filed === slot) this.#slots.delete(bucket);
    if (typeof filed !== "object") return;
    const rest = filed.filter((other) => other !== slot);
    this.#slots.set(bucket, rest.length === 1 ? (rest[0] ?? slot) : rest);
  }

  get(bucket: number): readonly number[] {
    const filed = this.#slots.get(bucket);
    if (filed === undefined) return EMPTY;
    return typeof filed === "number" ? [filed] : filed;
  }

  /** What `get` reads, without an array for a lone slot (the lookup of every request). */
  filed(bucket: number): number | readonly number[] | undefined {
    return this.#slots.get(bucket);
  }
}

/** Hash records filed by their token's uid (current and previous), found by token id. */
export class HashRecordIndex {
  readonly #strings: StringPool;
  /** Slot i's hash: bytes [32 i, 32 i + 32). Doubles when full. */
  #hashes = Buffer.alloc(HASH_BYTES * 256);
  readonly #namespaces: string[] = [];
  readonly #names: string[] = [];
  readonly #uids: string[] = [];
  readonly #userUids: (string | undefined)[] = [];
  /** 1 where the slot holds a `-previous` record. */
  #previous = new Uint8Array(256);
  /** Slots given back by deleted records, reused first. */
  readonly #free: number[] = [];
  readonly #current = new Map<string, number>();
  readonly #rotatedOut = new Map<string, number>();
  readonly #buckets = new SlotBuckets();
  #changes = 0;

  constructor(strings: StringPool) {
    this.#strings = strings;
  }

  /**
   * Applies one informer event and returns what the record now filed names of its token (if
   * any); a Secret that is not a complete record the controller wrote, under its canonical name,
   * is dropped (it neither authenticates nor makes a hash ambiguous).
   */
  apply(event: InformerEvent<KubeObject>): RecordedToken | undefined {
    const name = event.object.metadata?.name;
    if (name === undefined) return undefined;
    const read = event.type === "upsert" ? readTrustedHashRecord(event.object) : undefined;
    // A relist re-announces every record: one filed as it is stays (no churn, no new copy).
    const filed = read && this.#filedAs(read);
    if (filed !== undefined) return this.#recordedToken(filed);
    this.#removeNamed(name);
    if (read === undefined) return undefined;
    const slot = this.#allocate();
    this.#changes++;
    Buffer.from(read.hash.slice(HASH_PREFIX.length), "hex").copy(this.#hashes, slot * HASH_BYTES);
    this.#namespaces[slot] = this.#strings.intern(read.tokenNamespace);
    this.#names[slot] = read.tokenName;
    this.#uids[slot] = read.tokenUid;
    this.#userUids[slot] = this.#strings.intern(read.serviceUserUid);
    const previous = read.name !== hashRecordName(read.tokenUid);
    this.#previous[slot] = previous ? 1 : 0;
    (previous ? this.#rotatedOut : this.#current).set(read.tokenUid, slot);
    this.#buckets.add(bucketOf(read.tokenId), slot);
    return this.#recordedToken(slot);
  }

  /** Counts every change of what is filed: an event that filed or removed nothing leaves it. */
  get changes(): number {
    return this.#changes;
  }

  /** What the current record (`token-<uid>`) of the token with this uid names of it. */
  currentOf(tokenUid: string): RecordedToken | undefined {
    const slot = this.#current.get(tokenUid);
    return slot === undefined ? undefined : this.#recordedToken(slot);
  }

  /** Every record holding `hash`: normally one; more means an ambiguous, unusable hash. */
  lookup(hash: TokenHash): CachedHashRecord[] {
    // The hash's digits are compared with the arena's bytes: no hex string per candidate.
    const filed = this.#buckets.filed(bucketOf(hash, HASH_PREFIX.length));
    if (filed === undefined || !hash.startsWith(HASH_PREFIX)) return [];
    if (typeof filed === "number") {
      return this.#holds(filed, hash) ? [this.#record(filed, hash)] : [];
    }
    const found: CachedHashRecord[] = [];
    for (const slot of filed) {
      if (this.#holds(slot, hash)) found.push(this.#record(slot, hash));
    }
    return found;
  }

  /** Whether slot's hash is `hash` (`sha256:` and 64 lowercase hex digits, checked here). */
  #holds(slot: number, hash: string): boolean {
    if (hash.length !== HASH_PREFIX.length + 2 * HASH_BYTES) return false;
    const hashes = this.#hashes;
    let at = slot * HASH_BYTES;
    for (let i = HASH_PREFIX.length; i < hash.length; i += 2, at++) {
      const high = HEX_VALUES[hash.charCodeAt(i)] ?? -1;
      const low = HEX_VALUES[hash.charCodeAt(i + 1)] ?? -1;
      if (high < 0 || low < 0 || hashes[at] !== high * 16 + low) return false;
    }
    return true;
  }

  /** Every record whose token id (the hash's first 16 hex digits) is `tokenId`. */
  lookupByTokenId(tokenId: string): CachedHashRecord[] {
    const found: CachedHashRecord[] = [];
    for (const slot of this.#buckets.get(bucketOf(tokenId))) {
      const record = this.#record(slot, this.#hashOf(slot));
      if (record.tokenId === tokenId) found.push(record);
    }
    return found;
  }

  /** The names of every filed record (what the informer announces gone if a relist lacks it). */
  *names(): Generator<string> {
    for (const uid of this.#current.keys()) yield hashRecordName(uid);
    for (const uid of this.#rotatedOut.keys()) yield previousHashRecordName(uid);
  }

  get size(): number {
    return this.#current.size + this.#rotatedOut.size;
  }

  #recordedToken(slot: number): RecordedToken {
    return {
      tokenNamespace: this.#namespaces[slot] ?? "",
      tokenName: this.#names[slot] ?? "",
      tokenUid: this.#uids[slot] ?? "",
    };
  }

  /** The slot of a filed record equal to `read`, if any. */
  #filedAs(read: HashRecord): number | undefined {
    const previous = read.name !== hashRecordName(read.tokenUid);
    const slot = (previous ? this.#rotatedOut : this.#current).get(read.tokenUid);
    if (slot === undefined || this.#hashOf(slot) !== read.hash) return undefined;
    const same =
      this.#namespaces[slot] === read.tokenNamespace &&
      this.#names[slot] === read.tokenName &&
      this.#userUids[slot] === read.serviceUserUid;
    return same ? slot : undefined;
  }

  /** Slot's hash, as read: 32 bytes in lowercase hex are what a TokenHash is. */
  #hashOf(slot: number): TokenHash {
    const start = slot * HASH_BYTES;
    return (HASH_PREFIX + this.#hashes.toString("hex", start, start + HASH_BYTES)) as TokenHash;
  }

  #record(slot: number, hash: TokenHash): CachedHashRecord {
    const tokenUid = this.#uids[slot] ?? "";
    const name =
      this.#previous[slot] === 1 ? previousHashRecordName(tokenUid) : hashRecordName(tokenUid);
    return {
      name,
      hash,
      tokenId: tokenIdFromHash(hash),
      tokenNamespace: this.#namespaces[slot] ?? "",
      tokenName: this.#names[slot] ?? "",
      tokenUid,
      serviceUserUid: this.#userUids[slot],
    };
  }

  /**
   * Drops the record named `name`. `token-a-previous` is the previous record of uid `a` or the
   * current one of uid `a-previous`: both readings are tried (Secret names are unique, so at
   * most one is filed).
   */
  #removeNamed(name: string): void {
    if (!name.startsWith(NAME_PREFIX)) return;
    const uid = name.slice(NAME_PREFIX.length);
    this.#removeFiled(this.#current, uid);
    if (uid.endsWith(PREVIOUS_SUFFIX)) {
      this.#removeFiled(this.#rotatedOut, uid.slice(0, -PREVIOUS_SUFFIX.length));
    }
  }

  #removeFiled(byUid: Map<string, number>, uid: string): void {
    const slot = byUid.get(uid);
    if (slot === undefined) return;
    this.#changes++;
    byUid.delete(uid);
    this.#buckets.remove(bucketOf(this.#hashOf(slot), HASH_PREFIX.length), slot);
    // Strings let go; the arrays stay dense.
    this.#namespaces[slot] = this.#names[slot] = this.#uids[slot] = "";
    this.#userUids[slot] = undefined;
    this.#free.push(slot);
  }

  #allocate(): number {
    const reused = this.#free.pop();
    if (reused !== undefined) return reused;
    const slot = this.#uids.length;
    if ((slot + 1) * HASH_BYTES > this.#hashes.length) {
      const hashes = Buffer.alloc(this.#hashes.length * 2);
      this.#hashes.copy(hashes);
      this.#hashes = hashes;
      const previous = new Uint8Array(this.#previous.length * 2);
      previous.set(this.#previous);
      this.#previous = previous;
    }
    this.#uids.push("");
    return slot;
  }
}
