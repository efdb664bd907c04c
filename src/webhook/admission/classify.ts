// What an admission request on one of our kinds amounts to, before any rule is applied: the
// same for ServiceUsers and ServiceTokens.
import { isDeepStrictEqual } from "node:util";
import { isClusterCleanup, parseOrMessage } from "./common.ts";
import type { AdmissionRequest } from "./review.ts";

/** The request, classified. */
export type RequestAction<T> =
  /** Not an Admin action: status, metadata-only changes, clean-up deletes, CONNECT. */
  | { kind: "unguarded" }
  | { kind: "invalid"; message: string }
  | { kind: "create"; object: T }
  | { kind: "change"; old: T | undefined; object: T }
  /** `old` is undefined when the stored object no longer parses: an Admin may still delete it. */
  | { kind: "delete"; old: T | undefined };

/** Options of the classification. */
export interface ClassifyOptions {
  /** The namespace controller and garbage collector may delete without being Admins. */
  cleanupMayDelete: boolean;
}

/** Classifies a request on one of our kinds, parsing objects with `parse`. */
export function classifyRequest<T extends { spec: unknown }>(
  request: AdmissionRequest,
  parse: (raw: unknown) => T,
  options: ClassifyOptions,
): RequestAction<T> {
  if (request.subResource) return { kind: "unguarded" };
  switch (request.operation) {
    case "CONNECT":
      return { kind: "unguarded" };
    case "DELETE": {
      if (options.cleanupMayDelete && isClusterCleanup(request.userInfo.username)) {
        return { kind: "unguarded" };
      }
      const old = parseOrMessage(parse, request.oldObject);
      return { kind: "delete", old: old.ok ? old.value : undefined };
    }
    case "CREATE": {
      const object = parseOrMessage(parse, request.object);
      return object.ok ? { kind: "create", object: object.value } : { kind: "invalid", ...object };
    }
    case "UPDATE": {
      const object = parseOrMessage(parse, request.object);
      if (!object.ok) return { kind: "invalid", message: object.message };
      const old = parseOrMessage(parse, request.oldObject);
      // Finalizers, labels, annotations and owner references are not Admin actions.
      if (old.ok && isDeepStrictEqual(old.value.spec, object.value.spec)) {
        return { kind: "unguarded" };
      }
      return { kind: "change", old: old.ok ? old.value : undefined, object: object.value };
    }
  }
}

/** Whether deciding the action needs to know if the requester is an Admin. */
export function actionNeedsAdmin(action: RequestAction<unknown>): boolean {
  return action.kind === "create" || action.kind === "change" || action.kind === "delete";
}
