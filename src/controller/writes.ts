// The controller's writes, each one request, with conflicts turned into quick requeues.
import { isConflict, isNotFound } from "../k8s/errors.ts";
import type { KubeObject } from "../k8s/object.ts";
import { PATCH, type PatchType } from "../k8s/rest.ts";
import { SECRETS, resourcePath, withQuery, type ResourceRef } from "../k8s/paths.ts";
import type { ControllerContext } from "./context.ts";
import { FIELD_MANAGER } from "./context.ts";
import { RequeueNowError } from "./runtime/errors.ts";

async function send<T>(
  ctx: ControllerContext,
  method: string,
  path: string,
  body?: unknown,
  contentType?: PatchType,
): Promise<T> {
  try {
    return await ctx.rest.request<T>(method, path, body, contentType);
  } catch (error) {
    // Someone changed the object since our cache saw it: run again on fresher data.
    if (isConflict(error)) throw new RequeueNowError("write conflict", { cause: error });
    throw error;
  }
}

/** Server-side apply of a Secret we fully own (hash records). */
export async function applySecret(ctx: ControllerContext, secret: KubeObject): Promise<KubeObject> {
  const { namespace, name } = secret.metadata ?? {};
  const path = withQuery(resourcePath(SECRETS, { namespace, name: name ?? "" }), {
    fieldManager: FIELD_MANAGER,
    force: true,
  });
  return send(ctx, "PATCH", path, secret, PATCH.apply);
}

/** Creates an object; the caller handles AlreadyExists. */
export async function createObject(
  ctx: ControllerContext,
  ref: ResourceRef,
  object: KubeObject,
): Promise<KubeObject> {
  const path = withQuery(resourcePath(ref, { namespace: object.metadata?.namespace }), {
    fieldManager: FIELD_MANAGER,
  });
  return send(ctx, "POST", path, object);
}

/** Reads one object (bypassing the cache), or undefined when it does not exist. */
export async function readObject(
  ctx: ControllerContext,
  ref: ResourceRef,
  namespace: string | undefined,
  name: string,
): Promise<KubeObject | undefined> {
  try {
    return await ctx.rest.request<KubeObject>("GET", resourcePath(ref, { namespace, name }));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Merge-patches an object or its status subresource. */
export async function mergePatch(
  ctx: ControllerContext,
  ref: ResourceRef,
  where: { namespace?: string | undefined; name: string; subresource?: "status" },
  patch: Record<string, unknown>,
): Promise<KubeObject> {
  const path = withQuery(resourcePath(ref, where), { fieldManager: FIELD_MANAGER });
  return send(ctx, "PATCH", path, patch, PATCH.merge);
}

/**
 * Deletes an object; already gone is fine. With `preconditions`, only the object with that
 * uid (and resourceVersion) is deleted: anything else is a conflict (a quick requeue).
 */
export async function deleteObject(
  ctx: ControllerContext,
  ref: ResourceRef,
  namespace: string | undefined,
  name: string,
  preconditions?: { uid?: string | undefined; resourceVersion?: string | undefined },
): Promise<void> {
  const options = preconditions && { apiVersion: "v1", kind: "DeleteOptions", preconditions };
  try {
    await send(ctx, "DELETE", resourcePath(ref, { namespace, name }), options);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

/** Server-side apply of an object we fully own (the RoleBindings of team namespaces). */
export async function applyObject(
  ctx: ControllerContext,
  ref: ResourceRef,
  object: KubeObject,
): Promise<KubeObject> {
  const { namespace, name } = object.metadata ?? {};
  const path = withQuery(resourcePath(ref, { namespace, name: name ?? "" }), {
    fieldManager: FIELD_MANAGER,
    force: true,
  });
  return send(ctx, "PATCH", path, object, PATCH.apply);
}
