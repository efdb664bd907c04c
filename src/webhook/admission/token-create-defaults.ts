// Mutating admission, pure: what a new ServiceToken gets at CREATE so the controller need not
// patch it afterwards (docs/decisions.md, record 64) — the controller's finalizer and, when the
// ServiceUser is in the cache, the owner reference to it, exactly as the controller sets them.
// Only ever adds these two things of the controller's own; never removes or replaces anything
// the creator wrote (a ServiceUser reference already there is left to the controller).
import type { ServiceUser } from "../../api/index.ts";
import {
  isServiceUserReference,
  serviceUserOwnerReference,
  TOKEN_FINALIZER,
} from "../../domain/token-ownership.ts";
import { admissionTarget } from "./decide.ts";
import type { AdmissionRequest } from "./review.ts";

/** One RFC 6902 operation (only `add` is ever produced). */
export interface JsonPatchAdd {
  op: "add";
  path: string;
  value: unknown;
}

interface TokenShape {
  metadata?: { finalizers?: unknown; ownerReferences?: unknown };
  spec?: { serviceUser?: unknown };
}

const listOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** The JSON patch for a request: empty for anything but a ServiceToken CREATE. */
export function tokenCreateDefaults(
  request: AdmissionRequest,
  serviceUser: (name: string) => ServiceUser | undefined,
): JsonPatchAdd[] {
  if (request.operation !== "CREATE" || request.subResource) return [];
  if (admissionTarget(request) !== "servicetokens") return [];
  const token = (request.object ?? {}) as TokenShape;
  const patch: JsonPatchAdd[] = [];
  if (token.metadata === undefined) patch.push({ op: "add", path: "/metadata", value: {} });

  const finalizers = token.metadata?.finalizers;
  if (!Array.isArray(finalizers)) {
    patch.push({ op: "add", path: "/metadata/finalizers", value: [TOKEN_FINALIZER] });
  } else if (!finalizers.includes(TOKEN_FINALIZER)) {
    patch.push({ op: "add", path: "/metadata/finalizers/-", value: TOKEN_FINALIZER });
  }

  const name = token.spec?.serviceUser;
  const user = typeof name === "string" ? serviceUser(name) : undefined;
  const owners = token.metadata?.ownerReferences;
  const hasUserRef = listOf(owners).some(
    (ref) => typeof ref === "object" && ref !== null && isServiceUserReference(ref),
  );
  // A user being deleted gets no new reference, as in the controller's desiredOwnerReferences.
  if (user?.metadata.uid && !user.metadata.deletionTimestamp && !hasUserRef) {
    const ref = serviceUserOwnerReference(user);
    patch.push(
      Array.isArray(owners)
        ? { op: "add", path: "/metadata/ownerReferences/-", value: ref }
        : { op: "add", path: "/metadata/ownerReferences", value: [ref] },
    );
  }
  return patch;
}
