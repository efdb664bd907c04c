// The token's finalizer and its owner reference to its ServiceUser, written with a merge patch
// that carries the resourceVersion: it fails (and requeues) rather than clobber another
// writer's finalizers or owners.
import {
  API_GROUP_VERSION,
  SERVICE_USER_KIND,
  type ServiceToken,
  type ServiceUser,
} from "../../api/index.ts";
import type { OwnerReference } from "../../k8s/object.ts";
import { SERVICE_TOKENS } from "../../api/index.ts";
import { TOKEN_FINALIZER, type ControllerContext } from "../context.ts";
import { mergePatch } from "../writes.ts";
import { parseServiceToken } from "../../api/index.ts";

function userOwnerReference(user: ServiceUser): OwnerReference {
  return {
    apiVersion: API_GROUP_VERSION,
    kind: SERVICE_USER_KIND,
    name: user.metadata.name,
    uid: user.metadata.uid ?? "",
  };
}

/** Owner references with exactly one, current, reference to the token's ServiceUser. */
export function desiredOwnerReferences(
  current: readonly OwnerReference[],
  user: ServiceUser | undefined,
): OwnerReference[] {
  const others = current.filter(
    (ref) => ref.kind !== SERVICE_USER_KIND || ref.apiVersion !== API_GROUP_VERSION,
  );
  const existing = current.find(
    (ref) => ref.kind === SERVICE_USER_KIND && ref.apiVersion === API_GROUP_VERSION,
  );
  if (!user) return existing ? [...others, existing] : others;
  return [...others, userOwnerReference(user)];
}

/** Adds the finalizer and the ServiceUser owner reference when missing; returns the token. */
export async function ensureTokenMetadata(
  ctx: ControllerContext,
  token: ServiceToken,
  user: ServiceUser | undefined,
): Promise<ServiceToken> {
  const meta = token.metadata;
  const finalizers = meta.finalizers ?? [];
  const owners = (meta.ownerReferences ?? []) as OwnerReference[];
  const wantOwners = desiredOwnerReferences(owners, user);
  const needFinalizer = !finalizers.includes(TOKEN_FINALIZER);
  const needOwners = JSON.stringify(wantOwners) !== JSON.stringify(owners);
  if (!needFinalizer && !needOwners) return token;
  const patch = {
    metadata: {
      resourceVersion: meta.resourceVersion,
      ...(needFinalizer ? { finalizers: [...finalizers, TOKEN_FINALIZER] } : {}),
      ...(needOwners ? { ownerReferences: wantOwners } : {}),
    },
  };
  const updated = await mergePatch(
    ctx,
    SERVICE_TOKENS,
    { namespace: meta.namespace, name: meta.name },
    patch,
  );
  return parseServiceToken(updated);
}

/** Removes our finalizer (and only ours) once cleanup is done. */
export async function removeTokenFinalizer(
  ctx: ControllerContext,
  token: ServiceToken,
): Promise<void> {
  const meta = token.metadata;
  const finalizers = meta.finalizers ?? [];
  if (!finalizers.includes(TOKEN_FINALIZER)) return;
  await mergePatch(
    ctx,
    SERVICE_TOKENS,
    { namespace: meta.namespace, name: meta.name },
    {
      metadata: {
        resourceVersion: meta.resourceVersion,
        finalizers: finalizers.filter((finalizer) => finalizer !== TOKEN_FINALIZER),
      },
    },
  );
}
