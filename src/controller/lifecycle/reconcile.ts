// The lifecycle sweep of one ServiceToken: decideLifecycle, then its actions. Runs on a queue
// of its own (leader only), woken by every change of the token or its ServiceUser and, in
// between, at the next boundary the decision names (a notice window, a policy's limit): no
// polling. Writes only when an action is due. Notices record their Events before the status
// that remembers them (a crash repeats a notice rather than losing it); the deletion records
// its Events first, as the token is gone after.
import {
  parseServiceToken,
  SERVICE_TOKENS,
  type ServiceToken,
  type ServiceTokenStatus,
} from "../../api/index.ts";
import type { KubeObject } from "../../k8s/object.ts";
import { rfc3339 } from "../../k8s/time.ts";
import type { ControllerContext } from "../context.ts";
import { EventReason } from "../events.ts";
import type { ProcessResult } from "../runtime/work-queue.ts";
import { lookupServiceUser } from "../service-user/lookup.ts";
import { deleteObject, mergePatch } from "../writes.ts";
import {
  AUTO_REVOKED_REASON,
  decideLifecycle,
  type LifecycleAction,
  type LifecycleSettings,
} from "./decide.ts";
import { countAction, type LifecycleMetrics } from "./metrics.ts";
import {
  autoDeletedNote,
  autoRevokedNote,
  expiringNote,
  unusedNote,
  userExpiringNote,
} from "./notes.ts";

/** A reconciler of the lifecycle queue, bound to the operator's settings. */
export function tokenLifecycleReconciler(
  settings: LifecycleSettings,
  metrics: LifecycleMetrics,
): (ctx: ControllerContext, key: string) => Promise<ProcessResult> {
  // Tokens this term deleted (uids): not judged again while the cache catches up.
  const deleted = new Set<string>();
  return async (ctx, key) => {
    // Our own last write when the cache has not seen it yet (judging the older view would
    // repeat a notice): the same read-your-writes the token reconciler uses.
    const raw = ctx.caches.token(key);
    if (!raw) return {};
    if (deleted.has(raw.metadata?.uid ?? "")) return {};
    let token: ServiceToken;
    try {
      token = parseServiceToken(raw);
    } catch {
      return {}; // the token reconciler reports it (InvalidSpec); nothing to judge here
    }
    const user = lookupServiceUser(ctx, token.spec.serviceUser);
    const now = new Date(ctx.clock.now());
    const decision = decideLifecycle(token, user, now, settings);
    const sweep = new TokenSweep(ctx, token, raw, settings, now, (object) => {
      if (object === undefined) deleted.add(raw.metadata?.uid ?? "");
      else ctx.caches.tokenWrites.remember(object);
    });
    for (const action of decision.actions) {
      await sweep.run(action);
      countAction(metrics, action);
    }
    await sweep.flushStatus();
    const next = decision.nextLookAt;
    return next === undefined
      ? {}
      : { requeueAfterMs: Math.max(0, next.getTime() - now.getTime()) };
  };
}

type StatusFields = Partial<Record<keyof ServiceTokenStatus, unknown>>;

/** Carries out one decision's actions on one token; notices share one status write. */
class TokenSweep {
  readonly #ctx: ControllerContext;
  readonly #token: ServiceToken;
  readonly #raw: KubeObject;
  readonly #settings: LifecycleSettings;
  readonly #now: Date;
  /** Told each write's result (undefined: the token was deleted). */
  readonly #wrote: (object: KubeObject | undefined) => void;
  #pendingStatus: StatusFields = {};

  constructor(
    ctx: ControllerContext,
    token: ServiceToken,
    raw: KubeObject,
    settings: LifecycleSettings,
    now: Date,
    wrote: (object: KubeObject | undefined) => void,
  ) {
    this.#wrote = wrote;
    this.#ctx = ctx;
    this.#token = token;
    this.#raw = raw;
    this.#settings = settings;
    this.#now = now;
  }

  get #ref(): string {
    return `${this.#token.metadata.namespace}/${this.#token.metadata.name}`;
  }

  async run(action: LifecycleAction): Promise<void> {
    const events = this.#ctx.events;
    switch (action.kind) {
      case "notice-expiring": {
        await events.record(this.#raw, EventReason.ExpiringSoon, expiringNote(action), "Warning");
        const user = this.#rawUser();
        if (user) {
          const note = userExpiringNote(this.#ref, action);
          await events.record(user, EventReason.ExpiringSoon, note, "Warning");
        }
        this.#pendingStatus.expiryNoticeDays = action.days;
        return;
      }
      case "notice-unused": {
        const note = unusedNote(action, this.#settings.revokeUnusedAfterDays);
        await events.record(this.#raw, EventReason.Unused, note, "Warning");
        this.#pendingStatus.unusedNoticeAt = rfc3339(this.#now);
        return;
      }
      case "clear-revoked-reason":
        this.#pendingStatus.revokedReason = null;
        return;
      case "revoke-unused":
        await this.flushStatus();
        await this.#revoke();
        await this.#reportAutoRevoked();
        return;
      case "report-auto-revoked":
        await this.flushStatus();
        await this.#reportAutoRevoked();
        return;
      case "delete-expired":
        await this.flushStatus();
        await this.#delete(autoDeletedNote(this.#ref, action));
        return;
    }
  }

  /** Writes the status fields the notices gathered (one merge patch), if any. */
  async flushStatus(): Promise<void> {
    if (Object.keys(this.#pendingStatus).length === 0) return;
    await this.#patchStatus(this.#pendingStatus);
    this.#pendingStatus = {};
  }

  /**
   * spec.revoked: true, only on the version of the token that was judged: if it changed
   * meanwhile (a use was just recorded), the write conflicts and the key is judged again.
   */
  async #revoke(): Promise<void> {
    const { namespace, name, resourceVersion } = this.#token.metadata;
    const updated = await mergePatch(
      this.#ctx,
      SERVICE_TOKENS,
      { namespace, name },
      { metadata: { resourceVersion }, spec: { revoked: true } },
    );
    this.#wrote(updated);
    this.#ctx.log.info({ kind: "ServiceToken", namespace, name }, "unused token revoked");
  }

  /** Status and Event of the policy's revocation (after a crash: when it is found). */
  async #reportAutoRevoked(): Promise<void> {
    await this.#patchStatus({
      revokedReason: AUTO_REVOKED_REASON,
      autoRevokedAt: rfc3339(this.#now),
    });
    const note = autoRevokedNote(this.#settings.revokeUnusedAfterDays);
    await this.#ctx.events.record(this.#raw, EventReason.AutoRevoked, note, "Warning");
  }

  /** Events first (the token is gone after), then the delete of exactly this token. */
  async #delete(note: string): Promise<void> {
    await this.#ctx.events.record(this.#raw, EventReason.AutoDeleted, note);
    const user = this.#rawUser();
    if (user) await this.#ctx.events.record(user, EventReason.AutoDeleted, note);
    // Exactly this token (uid); admission checks again that it is Expired and not revoked.
    const { namespace, name, uid } = this.#token.metadata;
    await deleteObject(this.#ctx, SERVICE_TOKENS, namespace, name, { uid });
    this.#wrote(undefined);
    this.#ctx.log.info({ kind: "ServiceToken", namespace, name }, "expired token deleted");
  }

  async #patchStatus(fields: StatusFields): Promise<void> {
    const { namespace, name } = this.#token.metadata;
    const updated = await mergePatch(
      this.#ctx,
      SERVICE_TOKENS,
      { namespace, name, subresource: "status" },
      { status: fields },
    );
    this.#wrote(updated);
  }

  #rawUser(): KubeObject | undefined {
    return this.#ctx.caches.users.get(this.#token.spec.serviceUser);
  }
}
