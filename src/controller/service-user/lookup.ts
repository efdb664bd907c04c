// Reading a ServiceUser from the cache, parsed.
import { parseServiceUser, type ServiceUser } from "../../api/index.ts";
import type { ControllerContext } from "../context.ts";

/** The cached ServiceUser, or undefined when absent or not a valid object. */
export function lookupServiceUser(ctx: ControllerContext, name: string): ServiceUser | undefined {
  const raw = ctx.caches.users.get(name);
  if (!raw) return undefined;
  try {
    return parseServiceUser(raw);
  } catch {
    return undefined;
  }
}
