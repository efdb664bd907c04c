// Objects the API server accepted but the program cannot read (a CRD older than the code, an
// edit that bypassed validation): reported as Ready=False/InvalidSpec, then left alone until
// they change. InvalidSpec is Stalled: only a person can fix the object.
import { InvalidObjectError, ReadyReason, type Condition } from "../api/index.ts";
import type { KubeObject } from "../k8s/object.ts";
import type { ResourceRef } from "../k8s/paths.ts";
import { statusConditions } from "./conditions.ts";
import type { ControllerContext } from "./context.ts";
import { TerminalError } from "./runtime/errors.ts";
import { statusMergePatch } from "./status-patch.ts";
import { mergePatch } from "./writes.ts";

/** Parses `raw`, or reports it as InvalidSpec and throws a TerminalError. */
export async function parseOrReportInvalid<T>(
  ctx: ControllerContext,
  ref: ResourceRef,
  raw: KubeObject,
  parse: (raw: KubeObject) => T,
): Promise<T> {
  try {
    return parse(raw);
  } catch (error) {
    if (!(error instanceof InvalidObjectError)) throw error;
    const status = (raw.status ?? {}) as { conditions?: Condition[] };
    const generation = raw.metadata?.generation;
    const desired = {
      conditions: statusConditions(
        Array.isArray(status.conditions) ? status.conditions : undefined,
        { ready: false, reason: ReadyReason.InvalidSpec, message: error.message },
        generation,
        new Date(ctx.clock.now()),
      ),
      ...(generation === undefined ? {} : { observedGeneration: generation }),
    };
    const patch = statusMergePatch(status, desired, ["conditions", "observedGeneration"]);
    const { namespace, name = "" } = raw.metadata ?? {};
    if (patch)
      await mergePatch(ctx, ref, { namespace, name, subresource: "status" }, { status: patch });
    throw new TerminalError(error.message, { cause: error });
  }
}
