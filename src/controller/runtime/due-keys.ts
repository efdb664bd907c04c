// The work queue's delayed runs: keys with the time each is due, behind one clock timer.
import type { Clock } from "../../k8s/clock.ts";

/**
 * Keys due at given times, handed to `onDue` in due order (ties in the order they were set),
 * with one timer on the clock for the earliest instead of one per key: every token has a next
 * run in two queues, and a Node timer with its closures costs ~450 bytes where an entry here
 * costs ~70 (100k tokens: ~80 MB against ~13). Entries live in a binary min-heap of parallel
 * arrays; replacing or removing a key leaves its old entry behind, recognised as stale because
 * `#due` holds another time for its key, and dropped when it reaches the top or when stale ones outnumber
 * the live.
 */
export class DueKeys {
  readonly #clock: Clock;
  readonly #onDue: (key: string) => void;
  /**
   * Key → when it is due, in ms after #origin: the truth; a heap entry whose time does not
   * match is stale. Relative, so that the times of the next hours to weeks are small integers
   * a Map holds in place, where an epoch time is a 16-byte heap number per key.
   */
  readonly #due = new Map<string, number>();
  readonly #origin: number;
  #heapDueAt: number[] = [];
  #heapSeq: number[] = [];
  #heapKey: string[] = [];
  #nextSeq = 0;
  #timer: { dueAt: number; cancel: () => void } | undefined;
  #firing = false;

  constructor(clock: Clock, onDue: (key: string) => void) {
    this.#clock = clock;
    this.#onDue = onDue;
    this.#origin = clock.now();
  }

  get size(): number {
    return this.#due.size;
  }

  /** When `key` is due, if it is. */
  dueAt(key: string): number | undefined {
    const after = this.#due.get(key);
    return after === undefined ? undefined : this.#origin + after;
  }

  /** Makes `key` due at `dueAt`, replacing when it was due before. */
  set(key: string, dueAt: number): void {
    this.#due.set(key, dueAt - this.#origin);
    this.#push(dueAt, this.#nextSeq++, key);
    this.#compactIfMostlyStale();
    this.#arm();
  }

  delete(key: string): void {
    if (!this.#due.delete(key)) return;
    if (this.#due.size === 0) this.clear();
  }

  /** Milliseconds from now until the earliest key is due (undefined: none). */
  earliestInMs(): number | undefined {
    this.#dropStaleTop();
    const dueAt = this.#heapDueAt[0];
    return dueAt === undefined ? undefined : Math.max(0, dueAt - this.#clock.now());
  }

  /** Forgets every key and cancels the timer. */
  clear(): void {
    this.#due.clear();
    this.#heapDueAt = [];
    this.#heapSeq = [];
    this.#heapKey = [];
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  /** Keeps one timer for the earliest live entry (none when there is none). */
  #arm(): void {
    if (this.#firing) return;
    this.#dropStaleTop();
    const dueAt = this.#heapDueAt[0];
    if (this.#timer !== undefined && this.#timer.dueAt === dueAt) return;
    this.#timer?.cancel();
    this.#timer = undefined;
    if (dueAt === undefined) return;
    const delayMs = Math.max(0, dueAt - this.#clock.now());
    const cancel = this.#clock.schedule(() => this.#fire(dueAt), delayMs);
    this.#timer = { dueAt, cancel };
  }

  /** The timer set for `armedFor` fired: that instant has come, whatever `now()` says. */
  #fire(armedFor: number): void {
    this.#timer = undefined;
    this.#firing = true;
    try {
      const now = Math.max(this.#clock.now(), armedFor);
      for (;;) {
        this.#dropStaleTop();
        const dueAt = this.#heapDueAt[0];
        const key = this.#heapKey[0];
        if (dueAt === undefined || key === undefined || dueAt > now) break;
        this.#pop();
        this.#due.delete(key);
        this.#onDue(key);
      }
    } finally {
      this.#firing = false;
    }
    this.#arm();
  }

  #isLive(at: number): boolean {
    const key = this.#heapKey[at];
    // An equal time set again later leaves two matching entries: the first fires, and the
    // second is stale by then (the key left #due), so a key still fires once, on time.
    const dueAt = this.#heapDueAt[at];
    return key !== undefined && dueAt !== undefined && this.#due.get(key) === dueAt - this.#origin;
  }

  #dropStaleTop(): void {
    while (this.#heapKey.length > 0 && !this.#isLive(0)) this.#pop();
  }

  /** Rebuilds the heap from live entries once the stale ones are most of it. */
  #compactIfMostlyStale(): void {
    const length = this.#heapKey.length;
    if (length < 64 || length < 2 * this.#due.size) return;
    const live = this.#heapKey.flatMap((_, at) => (this.#isLive(at) ? [at] : []));
    const dueAts = live.map((at) => this.#heapDueAt[at] ?? 0);
    const seqs = live.map((at) => this.#heapSeq[at] ?? 0);
    const keys = live.map((at) => this.#heapKey[at] ?? "");
    this.#heapDueAt = [];
    this.#heapSeq = [];
    this.#heapKey = [];
    dueAts.forEach((dueAt, i) => this.#push(dueAt, seqs[i] ?? 0, keys[i] ?? ""));
  }

  #before(a: number, b: number): boolean {
    const dueA = this.#heapDueAt[a] ?? 0;
    const dueB = this.#heapDueAt[b] ?? 0;
    return dueA < dueB || (dueA === dueB && (this.#heapSeq[a] ?? 0) < (this.#heapSeq[b] ?? 0));
  }

  #swap(a: number, b: number): void {
    const due = this.#heapDueAt;
    const seq = this.#heapSeq;
    const key = this.#heapKey;
    [due[a], due[b]] = [due[b] ?? 0, due[a] ?? 0];
    [seq[a], seq[b]] = [seq[b] ?? 0, seq[a] ?? 0];
    [key[a], key[b]] = [key[b] ?? "", key[a] ?? ""];
  }

  #push(dueAt: number, seq: number, key: string): void {
    this.#heapDueAt.push(dueAt);
    this.#heapSeq.push(seq);
    this.#heapKey.push(key);
    let at = this.#heapKey.length - 1;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!this.#before(at, parent)) break;
      this.#swap(at, parent);
      at = parent;
    }
  }

  #pop(): void {
    const last = this.#heapKey.length - 1;
    this.#swap(0, last);
    this.#heapDueAt.pop();
    this.#heapSeq.pop();
    this.#heapKey.pop();
    let at = 0;
    for (;;) {
      const left = 2 * at + 1;
      const right = left + 1;
      let least = at;
      if (left < last && this.#before(left, least)) least = left;
      if (right < last && this.#before(right, least)) least = right;
      if (least === at) return;
      this.#swap(at, least);
      at = least;
    }
  }
}
