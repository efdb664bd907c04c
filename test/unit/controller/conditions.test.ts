import { describe, expect, it } from "vitest";
import type { Condition } from "../../../src/api/index.ts";
import {
  statusConditions,
  verdictProgress,
  type ReadyVerdict,
} from "../../../src/controller/conditions.ts";
import { rfc3339 } from "../../../src/k8s/time.ts";

const NOW = new Date("2025-06-01T12:00:00.789Z");
const EARLIER = "2025-05-01T08:00:00Z";

const READY: ReadyVerdict = { ready: true, reason: "Active", message: "The token is active." };
const REVOKED: ReadyVerdict = { ready: true, reason: "Revoked", message: "The token is revoked." };
const WAITING: ReadyVerdict = {
  ready: false,
  reason: "ServiceUserNotFound",
  message: "ServiceUser ci does not exist yet.",
};
const CONFLICT: ReadyVerdict = { ready: false, reason: "SecretConflict", message: "taken" };

/** The Ready condition among `conditions`. */
const readyOf = (conditions: Condition[]): Condition | undefined =>
  conditions.find((c) => c.type === "Ready");

function ready(status: "True" | "False" | "Unknown", extra: Partial<Condition> = {}): Condition {
  return condition("Ready", status, extra);
}

function condition(
  type: string,
  status: "True" | "False" | "Unknown",
  extra: Partial<Condition> = {},
): Condition {
  return {
    type,
    status,
    reason: "Before",
    message: "before",
    lastTransitionTime: EARLIER,
    ...extra,
  };
}

describe("rfc3339", () => {
  it.each([
    { date: "2025-06-01T12:00:00.789Z", text: "2025-06-01T12:00:00Z" },
    { date: "2025-06-01T12:00:00.000Z", text: "2025-06-01T12:00:00Z" },
    { date: "1999-12-31T23:59:59.999Z", text: "1999-12-31T23:59:59Z" },
  ])("$date → $text (second precision, as Kubernetes writes times)", ({ date, text }) => {
    expect(rfc3339(new Date(date))).toBe(text);
  });
});

describe("verdictProgress: what kstatus, Flux and Argo CD read from a verdict", () => {
  it.each<{ verdict: ReadyVerdict; progress: string }>([
    { verdict: READY, progress: "done" },
    { verdict: REVOKED, progress: "done" },
    { verdict: { ready: true, reason: "Expired", message: "" }, progress: "done" },
    { verdict: { ready: true, reason: "Deactivated", message: "" }, progress: "done" },
    { verdict: WAITING, progress: "waiting" },
    { verdict: CONFLICT, progress: "stalled" },
    { verdict: { ready: false, reason: "InvalidSpec", message: "" }, progress: "stalled" },
    {
      verdict: { ready: false, reason: "ServiceUserDeactivated", message: "" },
      progress: "stalled",
    },
    { verdict: { ready: false, reason: "SomethingTransient", message: "" }, progress: "waiting" },
  ])("$verdict.reason (ready: $verdict.ready) → $progress", ({ verdict, progress }) => {
    expect(verdictProgress(verdict)).toBe(progress);
  });
});

describe("statusConditions: which conditions are present", () => {
  it.each<{ verdict: ReadyVerdict; types: Record<string, string> }>([
    { verdict: READY, types: { Ready: "True" } },
    { verdict: REVOKED, types: { Ready: "True" } },
    { verdict: WAITING, types: { Ready: "False", Reconciling: "True" } },
    { verdict: CONFLICT, types: { Ready: "False", Stalled: "True" } },
  ])("$verdict.reason → $types", ({ verdict, types }) => {
    const conditions = statusConditions(undefined, verdict, 2, NOW);
    expect(Object.fromEntries(conditions.map((c) => [c.type, c.status]))).toEqual(types);
    for (const c of conditions) {
      expect(c).toMatchObject({ reason: verdict.reason, message: verdict.message });
      expect(c.observedGeneration).toBe(2);
    }
  });

  it.each<{ name: string; previous: Condition[]; verdict: ReadyVerdict; types: string[] }>([
    {
      name: "Reconciling is removed once the token is generated",
      previous: [ready("False"), condition("Reconciling", "True")],
      verdict: READY,
      types: ["Ready"],
    },
    {
      name: "Stalled is removed once the conflict is gone",
      previous: [ready("False"), condition("Stalled", "True")],
      verdict: READY,
      types: ["Ready"],
    },
    {
      name: "waiting turns into stalled: Reconciling goes, Stalled comes",
      previous: [ready("False"), condition("Reconciling", "True")],
      verdict: CONFLICT,
      types: ["Ready", "Stalled"],
    },
    {
      name: "conditions of unknown types are dropped",
      previous: [ready("True"), condition("Progressing", "True")],
      verdict: READY,
      types: ["Ready"],
    },
  ])("$name", ({ previous, verdict, types }) => {
    expect(statusConditions(previous, verdict, 1, NOW).map((c) => c.type)).toEqual(types);
  });
});

describe("statusConditions: lastTransitionTime", () => {
  it.each<{
    name: string;
    previous: Condition[] | undefined;
    verdict: ReadyVerdict;
    transition: string;
  }>([
    { name: "no previous status", previous: undefined, verdict: READY, transition: "now" },
    { name: "no previous conditions", previous: [], verdict: READY, transition: "now" },
    {
      name: "only other condition types",
      previous: [condition("Progressing", "True")],
      verdict: READY,
      transition: "now",
    },
    { name: "True stays True", previous: [ready("True")], verdict: READY, transition: "kept" },
    {
      name: "Active → Revoked stays True",
      previous: [ready("True")],
      verdict: REVOKED,
      transition: "kept",
    },
    { name: "False stays False", previous: [ready("False")], verdict: WAITING, transition: "kept" },
    {
      name: "True flips to False",
      previous: [ready("True")],
      verdict: CONFLICT,
      transition: "now",
    },
    { name: "False flips to True", previous: [ready("False")], verdict: READY, transition: "now" },
    {
      name: "Unknown becomes True",
      previous: [ready("Unknown")],
      verdict: READY,
      transition: "now",
    },
    {
      name: "Ready found among other conditions",
      previous: [condition("Stalled", "True"), ready("True")],
      verdict: READY,
      transition: "kept",
    },
  ])("Ready: $name → $transition", ({ previous, verdict, transition }) => {
    const ready = readyOf(statusConditions(previous, verdict, 3, NOW));
    expect(ready?.lastTransitionTime).toBe(
      transition === "kept" ? EARLIER : "2025-06-01T12:00:00Z",
    );
    expect(ready?.status).toBe(verdict.ready ? "True" : "False");
  });

  it.each<{ name: string; previous: Condition[]; transition: string }>([
    { name: "still waiting", previous: [condition("Reconciling", "True")], transition: "kept" },
    { name: "starts waiting", previous: [], transition: "now" },
    {
      name: "was False (written by someone)",
      previous: [condition("Reconciling", "False")],
      transition: "now",
    },
  ])("Reconciling: $name → $transition", ({ previous, transition }) => {
    const reconciling = statusConditions(previous, WAITING, 3, NOW).find(
      (c) => c.type === "Reconciling",
    );
    expect(reconciling?.lastTransitionTime).toBe(
      transition === "kept" ? EARLIER : "2025-06-01T12:00:00Z",
    );
  });

  it("takes reason and message from the verdict even when the status holds", () => {
    const conditions = statusConditions(
      [ready("True", { reason: "Active", message: "active" })],
      REVOKED,
      7,
      NOW,
    );
    expect(conditions).toEqual([
      {
        type: "Ready",
        status: "True",
        reason: "Revoked",
        message: "The token is revoked.",
        lastTransitionTime: EARLIER,
        observedGeneration: 7,
      },
    ]);
  });

  it.each([
    { generation: 1, expected: 1 },
    { generation: 0, expected: 0 },
    { generation: 42, expected: 42 },
  ])("observedGeneration is the generation ($generation)", ({ generation, expected }) => {
    const conditions = statusConditions(
      [ready("True", { observedGeneration: 1 })],
      WAITING,
      generation,
      NOW,
    );
    for (const c of conditions) expect(c.observedGeneration).toBe(expected);
  });

  it("omits observedGeneration when the object has no generation", () => {
    const conditions = statusConditions(
      [ready("True", { observedGeneration: 4 })],
      READY,
      undefined,
      NOW,
    );
    expect(readyOf(conditions)).not.toHaveProperty("observedGeneration");
  });
});
