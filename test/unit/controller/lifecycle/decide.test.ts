// decideLifecycle at every boundary: just before and after each notice window, tokens created
// inside a window, never-expiring, revoked, expired and deleted tokens, the unused policies
// and the revocation bookkeeping; and when it looks again.
import { describe, expect, it } from "vitest";
import type { ServiceTokenStatus } from "../../../../src/api/index.ts";
import {
  decideLifecycle,
  type LifecycleAction,
  type LifecycleSettings,
} from "../../../../src/controller/lifecycle/decide.ts";
import { at, DAY_MS, NOW, token, user, type TokenParts } from "../builders.ts";

const SECOND = 1000;
const CONTROLLER_REVOKED = [
  {
    manager: "svctokens-controller",
    operation: "Update",
    fieldsV1: { "f:spec": { "f:revoked": {} } },
  },
];
const PERSON_REVOKED = [
  { manager: "kubectl-patch", operation: "Update", fieldsV1: { "f:spec": { "f:revoked": {} } } },
];

/** A generated Active token whose expiry is `leftMs` from NOW (undefined: never), used now. */
function live(leftMs: number | undefined, status: ServiceTokenStatus = {}): TokenParts {
  return {
    spec: leftMs === undefined ? {} : { expiresInDays: 365 },
    status: {
      phase: "Active",
      tokenId: "0123456789abcdef",
      createdAt: at(-DAY_MS),
      lastUsedAt: at(-SECOND),
      ...(leftMs === undefined ? {} : { expiresAt: at(leftMs) }),
      ...status,
    },
  };
}

/** A token generated `ageDays` ago, never used or last used `usedDaysAgo` ago; never expires. */
function idle(ageDays: number, usedDaysAgo?: number, status: ServiceTokenStatus = {}): TokenParts {
  return {
    status: {
      phase: "Active",
      tokenId: "0123456789abcdef",
      createdAt: at(-ageDays * DAY_MS),
      ...(usedDaysAgo === undefined ? {} : { lastUsedAt: at(-usedDaysAgo * DAY_MS) }),
      ...status,
    },
  };
}

const DEFAULTS: LifecycleSettings = { unusedAfterDays: 90 };
const REVOKING: LifecycleSettings = { unusedAfterDays: 90, revokeUnusedAfterDays: 120 };
const DELETING: LifecycleSettings = { unusedAfterDays: 90, deleteExpiredAfterDays: 30 };

interface Row {
  name: string;
  parts: TokenParts;
  settings?: LifecycleSettings;
  userActive?: boolean;
  /** The action kinds (and for notices, their days). */
  actions: string[];
  /** When it looks again, relative to NOW (undefined: only on a change). */
  nextInMs?: number | undefined;
}

const describeAction = (action: LifecycleAction): string =>
  "days" in action ? `${action.kind}:${String(action.days)}` : action.kind;

const rows: Row[] = [
  // Expiry notices: each window from just outside to just inside.
  { name: "31 days left", parts: live(31 * DAY_MS), actions: [], nextInMs: DAY_MS },
  {
    name: "30 days and 1 s left",
    parts: live(30 * DAY_MS + SECOND),
    actions: [],
    nextInMs: SECOND,
  },
  {
    name: "exactly 30 days left",
    parts: live(30 * DAY_MS),
    actions: ["notice-expiring:30"],
    nextInMs: 23 * DAY_MS,
  },
  {
    name: "inside 30 days, notice sent",
    parts: live(20 * DAY_MS, { expiryNoticeDays: 30 }),
    actions: [],
    nextInMs: 13 * DAY_MS,
  },
  {
    name: "7 days and 1 s left, 30-day notice sent",
    parts: live(7 * DAY_MS + SECOND, { expiryNoticeDays: 30 }),
    actions: [],
    nextInMs: SECOND,
  },
  {
    name: "exactly 7 days left, 30-day notice sent",
    parts: live(7 * DAY_MS, { expiryNoticeDays: 30 }),
    actions: ["notice-expiring:7"],
    nextInMs: 6 * DAY_MS,
  },
  {
    name: "1 day and 1 s left, 7-day notice sent",
    parts: live(DAY_MS + SECOND, { expiryNoticeDays: 7 }),
    actions: [],
    nextInMs: SECOND,
  },
  {
    name: "exactly 1 day left, 7-day notice sent",
    parts: live(DAY_MS, { expiryNoticeDays: 7 }),
    actions: ["notice-expiring:1"],
    nextInMs: DAY_MS,
  },
  {
    name: "1 s left, every notice sent",
    parts: live(SECOND, { expiryNoticeDays: 1 }),
    actions: [],
    nextInMs: SECOND,
  },
  // Created (or first seen) inside a window: that window's notice at once, only the narrowest.
  {
    name: "created with 5 days to live",
    parts: live(5 * DAY_MS),
    actions: ["notice-expiring:7"],
    nextInMs: 4 * DAY_MS,
  },
  {
    name: "created with 20 hours to live",
    parts: live(20 * 3_600_000),
    actions: ["notice-expiring:1"],
    nextInMs: 20 * 3_600_000,
  },
  {
    name: "a controller that missed the 7-day moment sends only the 1-day notice",
    parts: live(12 * 3_600_000, { expiryNoticeDays: 30 }),
    actions: ["notice-expiring:1"],
    nextInMs: 12 * 3_600_000,
  },
  // Tokens no notice concerns.
  { name: "never expires", parts: live(undefined), actions: [], nextInMs: 90 * DAY_MS - SECOND },
  {
    name: "revoked, 5 days left",
    parts: { ...live(5 * DAY_MS), spec: { expiresInDays: 365, revoked: true } },
    actions: [],
    nextInMs: undefined,
  },
  {
    name: "a deactivated user's token, 5 days left",
    parts: live(5 * DAY_MS),
    userActive: false,
    actions: [],
    nextInMs: 4 * DAY_MS,
  },
  {
    name: "expired (status already says so)",
    parts: live(-SECOND, { phase: "Expired" }),
    actions: [],
    nextInMs: undefined,
  },
  {
    name: "being deleted",
    parts: { ...live(5 * DAY_MS), deletionTimestamp: at(-SECOND) } as TokenParts,
    actions: [],
  },
  { name: "not generated yet", parts: { spec: { expiresInDays: 1 } }, actions: [] },
  // Unused.
  { name: "never used, 89 days old", parts: idle(89), actions: [], nextInMs: DAY_MS },
  { name: "never used, exactly 90 days old", parts: idle(90), actions: ["notice-unused:90"] },
  { name: "last used 91 days ago", parts: idle(200, 91), actions: ["notice-unused:90"] },
  { name: "last used 89 days ago", parts: idle(200, 89), actions: [], nextInMs: DAY_MS },
  {
    name: "unused, notice sent in this stretch",
    parts: idle(200, 95, { unusedNoticeAt: at(-5 * DAY_MS) }),
    actions: [],
  },
  {
    name: "unused again after a use that followed the last notice",
    parts: idle(400, 95, { unusedNoticeAt: at(-200 * DAY_MS) }),
    actions: ["notice-unused:90"],
  },
  {
    name: "unused, revoked: no notice",
    parts: { ...idle(200), spec: { revoked: true } },
    actions: [],
  },
  {
    name: "unused, user deactivated: no notice",
    parts: idle(200),
    userActive: false,
    actions: [],
  },
  // Revoking unused tokens.
  {
    name: "revoke policy: 119 days unused",
    parts: idle(119, undefined, { unusedNoticeAt: at(-29 * DAY_MS) }),
    settings: REVOKING,
    actions: [],
    nextInMs: DAY_MS,
  },
  {
    name: "revoke policy: 120 days unused",
    parts: idle(120, undefined, { unusedNoticeAt: at(-30 * DAY_MS) }),
    settings: REVOKING,
    actions: ["revoke-unused:120"],
  },
  {
    name: "revoke policy: first seen at 150 days: notice, then revoke",
    parts: idle(150),
    settings: REVOKING,
    actions: ["notice-unused:90", "revoke-unused:120"],
  },
  {
    name: "revoke policy: an Admin restored it after the policy revoked it",
    parts: idle(300, undefined, { unusedNoticeAt: at(-210 * DAY_MS), autoRevokedAt: at(-DAY_MS) }),
    settings: REVOKING,
    actions: [],
  },
  {
    name: "revoke policy: used after a restore, then idle again",
    parts: idle(300, 130, { unusedNoticeAt: at(-40 * DAY_MS), autoRevokedAt: at(-200 * DAY_MS) }),
    settings: REVOKING,
    actions: ["revoke-unused:120"],
  },
  {
    name: "revoke policy: a person's revocation is left alone",
    parts: { ...idle(300), spec: { revoked: true }, managedFields: PERSON_REVOKED } as TokenParts,
    settings: REVOKING,
    actions: [],
  },
  // Revocation bookkeeping.
  {
    name: "revoked by the controller, reason not written yet (crash between writes)",
    parts: {
      ...idle(300),
      spec: { revoked: true },
      managedFields: CONTROLLER_REVOKED,
    } as TokenParts,
    settings: REVOKING,
    actions: ["report-auto-revoked"],
  },
  {
    name: "revoked by the controller, reported",
    parts: {
      ...idle(300, undefined, { revokedReason: "Unused", autoRevokedAt: at(-DAY_MS) }),
      spec: { revoked: true },
      managedFields: CONTROLLER_REVOKED,
    } as TokenParts,
    settings: REVOKING,
    actions: [],
  },
  {
    name: "restored by an Admin: the reason goes",
    parts: idle(300, undefined, {
      revokedReason: "Unused",
      autoRevokedAt: at(-DAY_MS),
      unusedNoticeAt: at(-200 * DAY_MS),
    }),
    settings: REVOKING,
    actions: ["clear-revoked-reason"],
  },
  // Deleting expired tokens.
  {
    name: "delete policy: expired 29 days ago",
    parts: live(-29 * DAY_MS, { phase: "Expired" }),
    settings: DELETING,
    actions: [],
    nextInMs: DAY_MS,
  },
  {
    name: "delete policy: expired exactly 30 days ago",
    parts: live(-30 * DAY_MS, { phase: "Expired" }),
    settings: DELETING,
    actions: ["delete-expired:30"],
  },
  {
    name: "delete policy: past expiry, status not Expired yet (admission would disagree)",
    parts: live(-31 * DAY_MS),
    settings: DELETING,
    actions: [],
  },
  {
    name: "delete policy: expired and revoked: kept",
    parts: {
      ...live(-31 * DAY_MS, { phase: "Expired" }),
      spec: { expiresInDays: 1, revoked: true },
    },
    settings: DELETING,
    actions: [],
  },
  {
    name: "delete policy: Active, 1 s left: never deleted",
    parts: live(SECOND, { expiryNoticeDays: 1 }),
    settings: DELETING,
    actions: [],
    nextInMs: SECOND,
  },
  {
    name: "delete policy: Active and unused for years, never expires: never deleted",
    parts: idle(2000, undefined, { unusedNoticeAt: at(-DAY_MS) }),
    settings: { ...DELETING, deleteExpiredAfterDays: 0 },
    actions: [],
  },
  {
    name: "delete policy of 0 days: at expiry, once the status says Expired",
    parts: live(0, { phase: "Expired" }),
    settings: { ...DELETING, deleteExpiredAfterDays: 0 },
    actions: ["delete-expired:0"],
  },
];

describe("decideLifecycle", () => {
  it.each(rows)("$name", (row) => {
    const { managedFields, deletionTimestamp, ...parts } = row.parts as TokenParts & {
      managedFields?: unknown;
      deletionTimestamp?: string;
    };
    const subject = token(parts);
    if (managedFields) Object.assign(subject.metadata, { managedFields });
    if (deletionTimestamp) subject.metadata.deletionTimestamp = deletionTimestamp;
    const owner = user({ spec: { active: row.userActive ?? true } });
    const decision = decideLifecycle(subject, owner, NOW, row.settings ?? DEFAULTS);
    expect(decision.actions.map(describeAction)).toEqual(row.actions);
    if ("nextInMs" in row) {
      expect(decision.nextLookAt && decision.nextLookAt.getTime() - NOW.getTime()).toBe(
        row.nextInMs,
      );
    }
  });

  it("looks again at the next boundary only: never at or before now", () => {
    for (const row of rows) {
      const decision = decideLifecycle(token(row.parts), user(), NOW, row.settings ?? DEFAULTS);
      if (decision.nextLookAt) expect(decision.nextLookAt.getTime()).toBeGreaterThan(NOW.getTime());
    }
  });

  it("sends each notice once over a token's whole life (notices remembered in status)", () => {
    const sent: string[] = [];
    const status: ServiceTokenStatus = {
      phase: "Active",
      tokenId: "0123456789abcdef",
      createdAt: at(0),
      lastUsedAt: at(0),
      expiresAt: at(40 * DAY_MS),
    };
    const subject = token({ spec: { expiresInDays: 40 }, status });
    let now = NOW;
    for (let step = 0; step < 400; step += 1) {
      const decision = decideLifecycle(subject, user(), now, DEFAULTS);
      for (const action of decision.actions) {
        sent.push(describeAction(action));
        if (action.kind === "notice-expiring") status.expiryNoticeDays = action.days;
      }
      if (!decision.nextLookAt) break;
      now = decision.nextLookAt;
    }
    expect(sent).toEqual(["notice-expiring:30", "notice-expiring:7", "notice-expiring:1"]);
  });
});
