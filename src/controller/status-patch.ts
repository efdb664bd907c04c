// Compare before you write: the merge patch that turns the current status into the desired one,
// touching only the fields this writer owns, or nothing when they already agree.
import { isDeepStrictEqual } from "node:util";

/** A merge patch for `status` (null removes a field), or undefined when nothing differs. */
export function statusMergePatch(
  current: Record<string, unknown> | undefined,
  desired: Record<string, unknown>,
  ownedFields: readonly string[],
): Record<string, unknown> | undefined {
  const patch: Record<string, unknown> = {};
  for (const field of ownedFields) {
    const want = desired[field];
    const have = current?.[field];
    if (want === undefined) {
      if (have !== undefined) patch[field] = null;
    } else if (!isDeepStrictEqual(want, have)) {
      patch[field] = want;
    }
  }
  return Object.keys(patch).length > 0 ? patch : undefined;
}
