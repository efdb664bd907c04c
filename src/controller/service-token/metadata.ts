// The token's finalizer and its owner reference to its ServiceUser, written with a merge patch
// that carries the resourceVersion: it fails (and requeues) rather than clobber another
// writer's finalizers or owners. Usually nothing to do: the mutating admission webhook sets
// both at create (record 64); this covers a token created before its ServiceUser, or while the
// webhook was away.
import type { ServiceToken, ServiceUser } from "../../api/index.ts";
import { isServiceUserReference, serviceUserOwnerReference } from "../../domain/token-ownership.ts";
import type { OwnerReference } from "../../k8s/object.ts";
import { SERVICE_TOKENS, SERVICE_USERS } from "../../api/index.ts";
import { TOKEN_FINALIZER, type ControllerContext } from "../context.ts";
import { mergePatch, readObject } from "../writes.ts";
import { parseServiceToken, parseServiceUser } from "../../api/index.ts";

/**
 * Owner references with exactly one, current, reference to the token's ServiceUser. A user being
 * deleted gets no new reference: deleted with `--cascade=orphan`, the garbage collector takes
 * the references off its tokens, and one added back would get them collected after all.
 */
export function desiredOwnerReferences(
  current: readonly OwnerReference[],
  user: ServiceUser | undefined,
): OwnerReference[] {
  const others = current.filter((ref) => !isServiceUserReference(ref));
  const existing = current.find((ref) => isServiceUserReference(ref));
  if (!user || user.metadata.deletionTimestamp) return existing ? [...others, existing] : others;
  return [...others, serviceUserOwnerReference(user)];
}

/** Whether `wanted` holds a ServiceUser reference that `current` lacks (or one to another uid). */
export function addsUserReference(
  current: readonly OwnerReference[],
  wanted: readonly OwnerReference[],
): boolean {
  const after = wanted.find((ref) => isServiceUserReference(ref));
  const before = current.find((ref) => isServiceUserReference(ref));
  return after !== undefined && before?.uid !== after.uid;
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
  let wantOwners = desiredOwnerReferences(owners, user);
  if (user && addsUserReference(owners, wantOwners)) {
    // The cached user comes from another watch than the token: the garbage collector may have
    // just taken the reference off for an orphaning delete this cache has not seen yet. Adding
    // one is rare (the mutating webhook sets it at create), so ask kube-apiserver first.
    const live = await readObject(ctx, SERVICE_USERS, undefined, user.metadata.name);
    wantOwners = desiredOwnerReferences(owners, live ? parseServiceUser(live) : undefined);
  }
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
