// The webhook's ServiceTokens, kept by column (docs/decisions.md, record 76): a common token
// (token-columns.ts) is a slot — eight string references and its timestamps as numbers — not
// four objects and four ISO strings; any other token is kept whole. Reading a token builds the
// same ServiceToken that was stored (equal values, same field order); the last tokens read are
// kept built (as many as the success memo keeps successes), so a busy token is one object
// between changes, which the memos of authn/ key on.
import type { ServiceToken } from "../../api/index.ts";
import { MultiMap } from "../../k8s/multi-map.ts";
import type { StringPool } from "../../k8s/string-pool.ts";
import type { RecordedToken } from "./hash-index.ts";
import { packColumns, TIME_FIELDS, timeText, type PackedTime } from "./token-columns.ts";

/** Built tokens kept: the busy ones (authn/success-memo.ts keeps as many successes). */
export const BUILT_TOKENS_KEPT = 4096;

/** String references per slot, in this order. */
const REF = {
  name: 0,
  namespace: 1,
  uid: 2,
  serviceUser: 3,
  secretName: 4,
  phase: 5,
  tokenId: 6,
  serviceUserUid: 7,
} as const;
const REFS = 8;
const TIMES = TIME_FIELDS.length;
const HAS_STATUS = 1;
const REVOKED = 2;

type Mutable = Record<string, unknown>;

/** ServiceTokens by namespace and name, by user and by spec.tokenHash. */
export class ServiceTokenStore {
  readonly #strings: StringPool;
  readonly #builtKept: number;
  readonly #slots = new Map<string, Map<string, number>>();
  readonly #refs: (string | undefined)[] = [];
  #times = new Float64Array(TIMES * 256);
  #formats = new Uint8Array(TIMES * 256);
  #days = new Uint16Array(256);
  #flags = new Uint8Array(256);
  /** Tokens that do not fit the columns, by slot. */
  readonly #whole = new Map<number, ServiceToken>();
  /** The last tokens built, by slot; insertion-ordered, the oldest goes first. */
  readonly #built = new Map<number, ServiceToken>();
  readonly #free: number[] = [];
  readonly #byUser = new MultiMap<number>();
  readonly #bySpecHash = new MultiMap<number>();
  #size = 0;

  constructor(strings: StringPool, builtKept = BUILT_TOKENS_KEPT) {
    this.#strings = strings;
    this.#builtKept = builtKept;
  }

  get size(): number {
    return this.#size;
  }

  /** The token, kept built while it is read (the same object until it changes or ages out). */
  get(namespace: string, name: string): ServiceToken | undefined {
    const slot = this.#slots.get(namespace)?.get(name);
    if (slot === undefined) return undefined;
    const built = this.#built.get(slot);
    if (built !== undefined) return built;
    const token = this.#build(slot);
    if (this.#whole.has(slot)) return token;
    if (this.#built.size >= this.#builtKept) {
      const oldest = this.#built.keys().next();
      if (oldest.done !== true) this.#built.delete(oldest.value);
    }
    this.#built.set(slot, token);
    return token;
  }

  /** The token, without keeping it built (comparisons, lists). */
  peek(namespace: string, name: string): ServiceToken | undefined {
    const slot = this.#slots.get(namespace)?.get(name);
    return slot === undefined ? undefined : this.#read(slot);
  }

  ofUser(serviceUser: string): ServiceToken[] {
    return this.#byUser.get(serviceUser).map((slot) => this.#read(slot));
  }

  withSpecHash(hash: string): ServiceToken[] {
    return this.#bySpecHash.get(hash).map((slot) => this.#read(slot));
  }

  /** Every token held, as `{metadata: {namespace, name}}`. */
  *held(): Generator<{ metadata: { namespace: string; name: string } }> {
    for (const [namespace, byName] of this.#slots) {
      for (const name of byName.keys()) yield { metadata: { namespace, name } };
    }
  }

  /**
   * Keeps `token` (parsed, ours to change; none of its namespace and name may be held), sharing
   * the strings of its current record (`recorded`) when that names it.
   */
  add(token: ServiceToken, recorded: RecordedToken | undefined): void {
    if (recorded !== undefined && names(token, recorded)) {
      token.metadata.name = recorded.tokenName;
      token.metadata.uid = recorded.tokenUid;
    }
    const { namespace, name } = token.metadata;
    const slot = this.#allocate();
    let inNamespace = this.#slots.get(namespace);
    if (inNamespace === undefined) {
      inNamespace = new Map();
      this.#slots.set(this.#strings.intern(namespace), inNamespace);
    }
    inNamespace.set(name, slot);
    this.#size += 1;
    const times = packColumns(token);
    if (times !== undefined) this.#fill(slot, token, times);
    else this.#whole.set(slot, this.#shareStrings(token));
    this.#byUser.add(this.#strings.intern(token.spec.serviceUser), slot);
    if (token.spec.tokenHash !== undefined) this.#bySpecHash.add(token.spec.tokenHash, slot);
  }

  /** Forgets the token, if held. */
  remove(namespace: string, name: string): void {
    const inNamespace = this.#slots.get(namespace);
    const slot = inNamespace?.get(name);
    if (inNamespace === undefined || slot === undefined) return;
    // Its index keys from where they are kept, without building the token: a columnar token
    // has no spec.tokenHash (token-columns.ts keeps only tokens without one).
    const whole = this.#whole.get(slot);
    const serviceUser = whole ? whole.spec.serviceUser : this.#refs[slot * REFS + REF.serviceUser];
    inNamespace.delete(name);
    if (inNamespace.size === 0) this.#slots.delete(namespace);
    this.#size -= 1;
    if (serviceUser !== undefined) this.#byUser.remove(serviceUser, slot);
    const specHash = whole?.spec.tokenHash;
    if (specHash !== undefined) this.#bySpecHash.remove(specHash, slot);
    this.#whole.delete(slot);
    this.#built.delete(slot);
    this.#refs.fill(undefined, slot * REFS, slot * REFS + REFS);
    this.#free.push(slot);
  }

  /**
   * A token and its record name the same things (its name and uid) in strings parsed apart:
   * when they agree, the token points at the record's copy. Equal values only.
   */
  shareRecordStrings(record: RecordedToken): void {
    const inNamespace = this.#slots.get(record.tokenNamespace);
    const slot = inNamespace?.get(record.tokenName);
    if (inNamespace === undefined || slot === undefined) return;
    const whole = this.#whole.get(slot);
    const at = slot * REFS;
    const uid = whole === undefined ? this.#refs[at + REF.uid] : whole.metadata.uid;
    if (uid !== record.tokenUid) return;
    if (whole === undefined) {
      this.#refs[at + REF.name] = record.tokenName;
      this.#refs[at + REF.uid] = record.tokenUid;
    } else {
      whole.metadata.name = record.tokenName;
      whole.metadata.uid = record.tokenUid;
    }
    // The map's key too (a key set again keeps its first string).
    inNamespace.delete(record.tokenName);
    inNamespace.set(record.tokenName, slot);
  }

  #read(slot: number): ServiceToken {
    return this.#built.get(slot) ?? this.#build(slot);
  }

  // Fields many tokens repeat point at one string (the parsed object is ours to change).
  #shareStrings(token: ServiceToken): ServiceToken {
    const strings = this.#strings;
    token.metadata.namespace = strings.intern(token.metadata.namespace);
    token.spec.serviceUser = strings.intern(token.spec.serviceUser);
    if (token.status === undefined) return token;
    token.status.phase = strings.intern(token.status.phase);
    token.status.serviceUserUid = strings.intern(token.status.serviceUserUid);
    return token;
  }

  #fill(slot: number, token: ServiceToken, times: readonly PackedTime[]): void {
    const { metadata, spec, status } = token;
    const strings = this.#strings;
    const at = slot * REFS;
    const refs = this.#refs;
    refs[at + REF.name] = metadata.name;
    refs[at + REF.namespace] = strings.intern(metadata.namespace);
    refs[at + REF.uid] = metadata.uid;
    refs[at + REF.serviceUser] = strings.intern(spec.serviceUser);
    refs[at + REF.secretName] = spec.secretName;
    refs[at + REF.phase] = strings.intern(status?.phase);
    refs[at + REF.tokenId] = status?.tokenId;
    refs[at + REF.serviceUserUid] = strings.intern(status?.serviceUserUid);
    for (const [index, packed] of times.entries()) {
      this.#times[slot * TIMES + index] = packed.ms;
      this.#formats[slot * TIMES + index] = packed.format;
    }
    this.#days[slot] = spec.expiresInDays ?? 0;
    this.#flags[slot] = (status === undefined ? 0 : HAS_STATUS) | (spec.revoked ? REVOKED : 0);
  }

  /** The token of `slot`, as it was stored (fields in the schema's order). */
  #build(slot: number): ServiceToken {
    const whole = this.#whole.get(slot);
    if (whole !== undefined) return whole;
    const at = slot * REFS;
    const refs = this.#refs;
    const time = (index: number): string | undefined =>
      timeText(this.#times[slot * TIMES + index] ?? 0, this.#formats[slot * TIMES + index] ?? 0);
    const metadata: Mutable = { name: refs[at + REF.name] };
    setIf(metadata, "uid", refs[at + REF.uid]);
    setIf(metadata, "creationTimestamp", time(0));
    metadata.namespace = refs[at + REF.namespace];
    const flags = this.#flags[slot] ?? 0;
    const spec: Mutable = { serviceUser: refs[at + REF.serviceUser] };
    setIf(spec, "expiresInDays", this.#days[slot] || undefined);
    spec.revoked = (flags & REVOKED) !== 0;
    setIf(spec, "secretName", refs[at + REF.secretName]);
    const token: Mutable = { metadata, spec };
    if ((flags & HAS_STATUS) === 0) return token as ServiceToken;
    const status: Mutable = {};
    setIf(status, "phase", refs[at + REF.phase]);
    setIf(status, "tokenId", refs[at + REF.tokenId]);
    setIf(status, "createdAt", time(1));
    setIf(status, "serviceUserUid", refs[at + REF.serviceUserUid]);
    setIf(status, "expiresAt", time(2));
    setIf(status, "lastUsedAt", time(3));
    token.status = status;
    return token as ServiceToken;
  }

  #allocate(): number {
    const reused = this.#free.pop();
    if (reused !== undefined) return reused;
    const slot = this.#refs.length / REFS;
    if (slot >= this.#flags.length) this.#grow();
    for (let i = 0; i < REFS; i++) this.#refs.push(undefined);
    return slot;
  }

  #grow(): void {
    const grown = <T extends Float64Array | Uint8Array | Uint16Array>(old: T): T => {
      const next = new (old.constructor as new (length: number) => T)(old.length * 2);
      next.set(old);
      return next;
    };
    this.#times = grown(this.#times);
    this.#formats = grown(this.#formats);
    this.#days = grown(this.#days);
    this.#flags = grown(this.#flags);
  }
}

/** Whether `record` names `token` (namespace, name and uid). */
function names(token: ServiceToken, record: RecordedToken): boolean {
  const { metadata } = token;
  return (
    metadata.namespace === record.tokenNamespace &&
    metadata.name === record.tokenName &&
    metadata.uid === record.tokenUid
  );
}

function setIf(target: Mutable, key: string, value: unknown): void {
  if (value !== undefined) target[key] = value;
}
