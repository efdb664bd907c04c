import { describe, expect, it } from "vitest";
import type { Condition } from "../../../src/api/index.ts";
import { readyCondition, type ReadyVerdict } from "../../../src/controller/conditions.ts";
import { rfc3339 } from "../../../src/k8s/time.ts";

const NOW = new Date("2025-06-01T12:00:00.789Z");
const EARLIER = "2025-05-01T08:00:00Z";

const READY: ReadyVerdict = { ready: true, reason: "Reconciled", message: "The token is active." };
const REVOKED: ReadyVerdict = { ready: false, reason: "Revoked", message: "The token is revoked." };

function ready(status: "True" | "False" | "Unknown", extra: Partial<Condition> = {}): Condition {
  return {
    type: "Ready",
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

describe("readyCondition", () => {
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
      previous: [{ ...ready("True"), type: "Progressing" }],
      verdict: READY,
      transition: "now",
    },
    { name: "True stays True", previous: [ready("True")], verdict: READY, transition: "kept" },
    { name: "False stays False", previous: [ready("False")], verdict: REVOKED, transition: "kept" },
    { name: "True flips to False", previous: [ready("True")], verdict: REVOKED, transition: "now" },
    { name: "False flips to True", previous: [ready("False")], verdict: READY, transition: "now" },
    {
      name: "Unknown becomes True",
      previous: [ready("Unknown")],
      verdict: READY,
      transition: "now",
    },
    {
      name: "Ready found among other conditions",
      previous: [{ ...ready("False"), type: "Progressing" }, ready("True")],
      verdict: READY,
      transition: "kept",
    },
  ])("lastTransitionTime: $name → $transition", ({ previous, verdict, transition }) => {
    const condition = readyCondition(previous, verdict, 3, NOW);
    expect(condition.lastTransitionTime).toBe(
      transition === "kept" ? EARLIER : "2025-06-01T12:00:00Z",
    );
    expect(condition.status).toBe(verdict.ready ? "True" : "False");
  });

  it("takes reason and message from the verdict even when the status holds", () => {
    const condition = readyCondition(
      [ready("False", { reason: "ServiceUserNotFound", message: "no user" })],
      REVOKED,
      7,
      NOW,
    );
    expect(condition).toEqual({
      type: "Ready",
      status: "False",
      reason: "Revoked",
      message: "The token is revoked.",
      lastTransitionTime: EARLIER,
      observedGeneration: 7,
    });
  });

  it.each([
    { generation: 1, expected: 1 },
    { generation: 0, expected: 0 },
    { generation: 42, expected: 42 },
  ])("observedGeneration is the generation ($generation)", ({ generation, expected }) => {
    const condition = readyCondition(
      [ready("True", { observedGeneration: 1 })],
      READY,
      generation,
      NOW,
    );
    expect(condition.observedGeneration).toBe(expected);
  });

  it("omits observedGeneration when the object has no generation", () => {
    const condition = readyCondition(
      [ready("True", { observedGeneration: 4 })],
      READY,
      undefined,
      NOW,
    );
    expect(condition).not.toHaveProperty("observedGeneration");
  });
});
