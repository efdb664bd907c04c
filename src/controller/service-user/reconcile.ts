// src/controller/service-user/: the ServiceUser reconciler: status and Events.
// Reconciles one ServiceUser: its status (identity, phase, token counts, last used) and the
// Events its changes deserve (Deactivated, Reactivated, RoleChanged).
import { parseServiceUser } from "../../api/index.ts";
import { SERVICE_USERS } from "../../api/index.ts";
import type { ControllerContext } from "../context.ts";
import type { ProcessResult } from "../runtime/work-queue.ts";
import { statusMergePatch } from "../status-patch.ts";
import { parseOrReportInvalid } from "../invalid-spec.ts";
import { mergePatch } from "../writes.ts";
import { desiredUserStatus, nextTokenExpiry } from "./desired.ts";
import { userTransitionEvents } from "./transitions.ts";
import { tokenTally, type TokenTally } from "./token-tally.ts";
import { StatusWriteSpacing, USER_STATUS_INTERVAL_MS } from "./status-spacing.ts";

const OWNED_STATUS_FIELDS = [
  "phase",
  "username",
  "groups",
  "teamsDisplay",
  "tokens",
  "activeTokens",
  "lastUsedAt",
  "conditions",
  "observedGeneration",
] as const;

/**
 * The ServiceUser reconciler: its status is written at most once per `intervalMs` (token
 * changes in between are folded into the next write, scheduled on the context's clock).
 */
export function serviceUserReconciler(
  intervalMs: number = USER_STATUS_INTERVAL_MS,
): (ctx: ControllerContext, name: string) => Promise<ProcessResult> {
  const spacing = new StatusWriteSpacing(intervalMs);
  return (ctx, name) => reconcileServiceUser(ctx, name, spacing);
}

/** Reconciles the ServiceUser named `name`. */
async function reconcileServiceUser(
  ctx: ControllerContext,
  name: string,
  spacing: StatusWriteSpacing,
): Promise<ProcessResult> {
  const raw = ctx.caches.users.get(name);
  if (!raw) return {};
  const user = await parseOrReportInvalid(ctx, SERVICE_USERS, raw, parseServiceUser);
  const now = new Date(ctx.clock.now());
  // Inside the spacing interval nothing may be written yet: come back when it ends rather than
  // parse every token of the user on each token change (a thousand tokens, a thousand parses).
  const waitMs = spacing.delayMs(name, now.getTime());
  if (waitMs > 0) return { requeueAfterMs: waitMs };
  const tokens: TokenTally[] = [];
  for (const key of ctx.caches.tokensByUser.get(name)) {
    const token = ctx.caches.tokens.get(key);
    const tally = token && tokenTally(token);
    if (tally) tokens.push(tally);
  }
  const status = desiredUserStatus(user, tokens, now);
  const patch = statusMergePatch(user.status, status, OWNED_STATUS_FIELDS);
  if (patch) {
    await mergePatch(ctx, SERVICE_USERS, { name, subresource: "status" }, { status: patch });
    spacing.wrote(name, now.getTime());
    // After the write: a failed write retries, and the retry still sees the old status.
    for (const event of userTransitionEvents(user))
      await ctx.events.record(raw, event.reason, event.note);
  }
  const expiry = nextTokenExpiry(tokens, now);
  const untilExpiry = expiry ? Math.max(0, expiry.getTime() - now.getTime()) : ctx.resyncMs;
  return { requeueAfterMs: Math.min(ctx.resyncMs, untilExpiry) };
}
