// The `Ready` condition, following the Kubernetes API conventions: lastTransitionTime moves
// only when the status flips.
import { CONDITION_READY, type Condition } from "../api/index.ts";
import { rfc3339 } from "../k8s/time.ts";

/** What the reconciler concluded, before timestamps. */
export interface ReadyVerdict {
  ready: boolean;
  reason: string;
  message: string;
}

/** The next `Ready` condition, keeping the previous transition time when status is unchanged. */
export function readyCondition(
  previous: readonly Condition[] | undefined,
  verdict: ReadyVerdict,
  generation: number | undefined,
  now: Date,
): Condition {
  const status = verdict.ready ? "True" : "False";
  const before = previous?.find((c) => c.type === CONDITION_READY);
  return {
    type: CONDITION_READY,
    status,
    reason: verdict.reason,
    message: verdict.message,
    lastTransitionTime:
      before && before.status === status ? before.lastTransitionTime : rfc3339(now),
    ...(generation === undefined ? {} : { observedGeneration: generation }),
  };
}
