// When a cached ServiceToken expires, worked out once per token object instead of on every
// request: parsing its timestamps costs more than the rest of a decision. Only an expiry that
// does not depend on the clock is kept (status.createdAt is a valid time); the inputs are
// compared on every read, so an object changed in place is never answered from an old entry.
import type { ServiceToken } from "../../api/index.ts";
import { tokenExpiry } from "../../domain/token-lifecycle.ts";

interface Entry {
  createdAt: string;
  expiresAt: string | undefined;
  creationTimestamp: string | undefined;
  expiresInDays: number | undefined;
  /** Epoch ms; undefined: never expires. */
  expiresAtMs: number | undefined;
}

type ExpiringToken = Pick<ServiceToken, "spec" | "status"> & {
  metadata: Pick<ServiceToken["metadata"], "creationTimestamp">;
};

/** Token objects → their expiry; entries go with the objects. */
export class ExpiryMemo {
  readonly #entries = new WeakMap<object, Entry>();

  /** `tokenExpiry` of the token alone (no hint), in epoch ms; undefined: never. */
  expiresAtMs(token: ExpiringToken, now: Date): number | undefined {
    const { status, spec } = token;
    const createdAt = status?.createdAt;
    const entry = this.#entries.get(token);
    if (
      entry !== undefined &&
      entry.createdAt === createdAt &&
      entry.expiresAt === status?.expiresAt &&
      entry.creationTimestamp === token.metadata.creationTimestamp &&
      entry.expiresInDays === spec.expiresInDays
    ) {
      return entry.expiresAtMs;
    }
    // The three times tokenExpiry reads, without copying the status.
    const times = {
      creationTimestamp: token.metadata.creationTimestamp,
      createdAt,
      expiresAt: status?.expiresAt,
    };
    const expiresAtMs = tokenExpiry(times, spec.expiresInDays, undefined, now)?.getTime();
    // Without a valid createdAt the expiry is reckoned from `now`: not kept.
    if (createdAt !== undefined && !Number.isNaN(Date.parse(createdAt))) {
      this.#entries.set(token, {
        createdAt,
        expiresAt: status?.expiresAt,
        creationTimestamp: token.metadata.creationTimestamp,
        expiresInDays: spec.expiresInDays,
        expiresAtMs,
      });
    }
    return expiresAtMs;
  }
}
