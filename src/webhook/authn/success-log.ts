// Successful authentications, logged per token and interval instead of per request: a token's
// first success after a quiet interval is logged at once (who, which token, count 1); further
// successes within the interval are counted and logged as one line when it ends. Attribution
// stays (Service User, token, token id — never a value) at a cost that does not grow with the
// request rate. Failures are not aggregated: run-authentication.ts logs each one.
// Successes served from the verdict cache are counted on their kept entry while their token's
// line is not due (`countKept`), and taken from there at each flush (record 91).
import type { Logger } from "pino";
import { systemClock, type Clock } from "../../k8s/clock.ts";
import type { AuthenticationEndpoint } from "../metrics.ts";
import type { AuthenticationSuccess } from "./decide.ts";
import type { KeptVerdict } from "./verdict-cache.ts";

/** Who a success was: safe to log. */
export interface SuccessAttribution {
  endpoint: string;
  tokenId: string;
  serviceToken: string;
  serviceUser: string;
  audiences: readonly string[];
}

/** Who `success` was, on `endpoint`: its line's fields. */
export function successAttribution(
  success: AuthenticationSuccess,
  endpoint: string,
): SuccessAttribution {
  const { tokenId, tokenKey: serviceToken, serviceUser, audiences } = success;
  return { endpoint, tokenId, serviceToken, serviceUser, audiences };
}

interface Entry {
  attribution: SuccessAttribution;
  /** When this token's last line was written (ms). */
  loggedAt: number;
  /** Successes since that line. */
  pending: number;
}

/** Where uses counted on kept successes wait to be taken (the verdict cache). */
export interface KeptUses {
  takeUses(
    take: (success: AuthenticationSuccess, endpoint: AuthenticationEndpoint, count: number) => void,
  ): void;
}

/** Default interval: a busy token costs one line per 10 s. */
export const SUCCESS_LOG_INTERVAL_MS = 10_000;

/** Per-token success lines, at most one per token (and audience set) per interval. */
export class SuccessLog {
  readonly #log: Logger;
  readonly #intervalMs: number;
  readonly #clock: Clock;
  readonly #logEach: () => boolean;
  readonly #writeLater: boolean;
  readonly #keptUses: KeptUses | undefined;
  /** Lines noted on requests, to be written once the request's turn is over (`writeLater`). */
  #queued: { attribution: SuccessAttribution; count: number }[] = [];
  readonly #entries = new Map<string, Entry>();
  /**
   * The common line (no audiences) by endpoint, then token id: strings the caller already
   * holds, so no key is built per success. Everything else is filed under a built key.
   */
  readonly #plain = new Map<string, Map<string, Entry>>();
  #cancel: (() => void) | undefined;

  /**
   * `logEachWhile`: while it says true, every success is logged on its own line (the service
   * passes "the caches lag": each decision made from stale facts shows in the log).
   * `writeLater`: the lines a success calls for (a token's first, or each while lagging) are
   * written after the current turn of the event loop, in order, so the answer that noted them
   * is handed over first (a line costs more than a warm authentication); `flush` and `stop`
   * write them at once.
   * `keptUses`: where `countKept` counted uses wait; each flush takes them first.
   */
  constructor(options: {
    log: Logger;
    intervalMs?: number;
    clock?: Clock;
    logEachWhile?: () => boolean;
    writeLater?: boolean;
    keptUses?: KeptUses;
  }) {
    this.#log = options.log;
    this.#keptUses = options.keptUses;
    this.#writeLater = options.writeLater ?? false;
    this.#logEach = options.logEachWhile ?? ((): boolean => false);
    this.#intervalMs = options.intervalMs ?? SUCCESS_LOG_INTERVAL_MS;
    this.#clock = options.clock ?? systemClock;
  }

  /**
   * Counts a success served from a kept entry on that entry, when no line is due for it one by
   * one: a success of its token on this endpoint was noted one by one, while the caches did not
   * lag, within the interval (so the token has a line here), and they do not lag now. Otherwise
   * false: the caller notes this success (and its use) as any other.
   */
  countKept(kept: KeptVerdict, endpoint: AuthenticationEndpoint, nowMs: number): boolean {
    // While lagging each success has a line of its own, and the token's entry is not renewed.
    if (this.#logEach()) return false;
    if (nowMs - kept.notedAtMs(endpoint) >= this.#intervalMs) {
      kept.noted(endpoint, nowMs);
      return false;
    }
    kept.count(endpoint, nowMs);
    return true;
  }

  /** Notes one success; logs at once when the token had no line within the interval. */
  note(attribution: SuccessAttribution): void {
    const now = this.#clock.now();
    const entry = this.#entryOf(attribution);
    if (this.#logEach()) {
      this.#writeNoted(attribution, 1);
    } else if (entry === undefined) {
      this.#file({ attribution, loggedAt: now, pending: 0 });
      this.#writeNoted(attribution, 1);
    } else if (now - entry.loggedAt >= this.#intervalMs) {
      this.#writeNoted(attribution, entry.pending + 1);
      entry.loggedAt = now;
      entry.pending = 0;
    } else {
      entry.pending += 1;
    }
  }

  /**
   * Writes the counts of every token whose interval has ended (all of them with `all`), and
   * forgets tokens that stayed quiet for a whole interval.
   */
  flush(all = false): void {
    this.#writeQueued();
    const now = this.#clock.now();
    this.#keptUses?.takeUses((success, endpoint, count) => {
      this.#add(successAttribution(success, endpoint), count, now);
    });
    for (const entries of [this.#entries, ...this.#plain.values()]) {
      for (const [key, entry] of entries) {
        if (!all && now - entry.loggedAt < this.#intervalMs) continue;
        if (entry.pending === 0) {
          entries.delete(key);
          continue;
        }
        this.#write(entry.attribution, entry.pending);
        entry.loggedAt = now;
        entry.pending = 0;
      }
    }
  }

  /** Successes counted elsewhere: added to the token's line, or a line of their own at once. */
  #add(attribution: SuccessAttribution, count: number, now: number): void {
    const entry = this.#entryOf(attribution);
    if (entry !== undefined) {
      entry.pending += count;
      return;
    }
    this.#file({ attribution, loggedAt: now, pending: 0 });
    this.#write(attribution, count);
  }

  #entryOf(attribution: SuccessAttribution): Entry | undefined {
    if (attribution.audiences.length === 0) {
      const plain = this.#plain.get(attribution.endpoint)?.get(attribution.tokenId);
      if (plain?.attribution.serviceToken === attribution.serviceToken) return plain;
    }
    return this.#entries.get(keyOf(attribution));
  }

  #file(entry: Entry): void {
    const { attribution } = entry;
    if (attribution.audiences.length === 0) {
      let byTokenId = this.#plain.get(attribution.endpoint);
      if (byTokenId === undefined) {
        byTokenId = new Map<string, Entry>();
        this.#plain.set(attribution.endpoint, byTokenId);
      }
      // A token id under another ServiceToken than the one filed: the built key keeps it apart.
      const filed = byTokenId.get(attribution.tokenId);
      if (filed === undefined || filed.attribution.serviceToken === attribution.serviceToken) {
        byTokenId.set(attribution.tokenId, entry);
        return;
      }
    }
    this.#entries.set(keyOf(attribution), entry);
  }

  /** Flushes every interval until `stop`. */
  start(): void {
    const tick = (): void => {
      this.flush();
      this.#cancel = this.#clock.schedule(tick, this.#intervalMs);
    };
    this.#cancel ??= this.#clock.schedule(tick, this.#intervalMs);
  }

  /** Stops the timer and writes what is pending. */
  stop(): void {
    this.#cancel?.();
    this.#cancel = undefined;
    this.flush(true);
  }

  /** A line a success called for: now, or after this turn of the event loop (`writeLater`). */
  #writeNoted(attribution: SuccessAttribution, count: number): void {
    if (!this.#writeLater) {
      this.#write(attribution, count);
      return;
    }
    if (this.#queued.length === 0) setImmediate(() => this.#writeQueued());
    this.#queued.push({ attribution, count });
  }

  #writeQueued(): void {
    if (this.#queued.length === 0) return;
    const queued = this.#queued;
    this.#queued = [];
    for (const { attribution, count } of queued) this.#write(attribution, count);
  }

  #write(attribution: SuccessAttribution, count: number): void {
    const { audiences, ...who } = attribution;
    this.#log.info({ ...who, audiences, count }, "token authenticated");
  }
}

/** Endpoint, ServiceToken and token id hold no spaces; the audience list is kept apart by JSON. */
function keyOf(attribution: SuccessAttribution): string {
  const { endpoint, serviceToken, tokenId, audiences } = attribution;
  return `${endpoint} ${serviceToken} ${tokenId} ${JSON.stringify(audiences)}`;
}
