// Status conditions as kstatus (Flux, kpt), Argo CD and `kubectl wait` read them, following the
// Kubernetes API conventions: `Ready` always; `Reconciling=True` while the controller waits for
// something that comes by itself; `Stalled=True` while a person must act. A condition that does
// not apply is absent (kstatus reads absence as False). lastTransitionTime moves only when a
// condition's status flips.
import { ConditionStatus, ConditionType, STALLED_REASONS, type Condition } from "../api/index.ts";
import { rfc3339 } from "../k8s/time.ts";

/** What the reconciler concluded, before timestamps. */
export interface ReadyVerdict {
  /** The object is reconciled as its spec asks (a revoked or expired token is, too). */
  ready: boolean;
  reason: string;
  message: string;
}

/** Done (Ready), waiting (Reconciling) or in need of a person (Stalled). */
export type Progress = "done" | "waiting" | "stalled";

/** How a verdict reads to kstatus: the reason tells waiting from stalled. */
export function verdictProgress(verdict: ReadyVerdict): Progress {
  if (verdict.ready) return "done";
  return STALLED_REASONS.has(verdict.reason) ? "stalled" : "waiting";
}

/**
 * The object's conditions for a verdict: Ready, plus Reconciling or Stalled when they are True.
 * Each keeps its previous lastTransitionTime while its status holds.
 */
export function statusConditions(
  previous: readonly Condition[] | undefined,
  verdict: ReadyVerdict,
  generation: number | undefined,
  now: Date,
): Condition[] {
  const progress = verdictProgress(verdict);
  const make = (type: ConditionType, status: ConditionStatus): Condition => {
    const before = previous?.find((c) => c.type === type);
    return {
      type,
      status,
      reason: verdict.reason,
      message: verdict.message,
      lastTransitionTime:
        before && before.status === status ? before.lastTransitionTime : rfc3339(now),
      ...(generation === undefined ? {} : { observedGeneration: generation }),
    };
  };
  const conditions = [
    make(ConditionType.Ready, verdict.ready ? ConditionStatus.True : ConditionStatus.False),
  ];
  if (progress === "waiting")
    conditions.push(make(ConditionType.Reconciling, ConditionStatus.True));
  if (progress === "stalled") conditions.push(make(ConditionType.Stalled, ConditionStatus.True));
  return conditions;
}
