// Which keys to reconcile when something in a cache changes: the mapping from every watched
// object to the ServiceTokens and ServiceUsers it affects.
import { LABEL_TOKEN_NAME, LABEL_TOKEN_NAMESPACE, SERVICE_TOKEN_KIND } from "../api/index.ts";
import { objectKey, type KubeObject } from "../k8s/object.ts";
import type { ControllerCaches } from "./caches.ts";

/** Where to send keys. */
export interface KeySink {
  token(key: string): void;
  user(name: string): void;
}

/** Subscribes `sink` to every cache; runs for each relist too (that is the resync). */
export function connectCachesToQueues(
  caches: ControllerCaches,
  sink: () => KeySink | undefined,
): void {
  caches.tokens.onChange(({ object }) => {
    const target = sink();
    target?.token(objectKey(object));
    const user = (object.spec as { serviceUser?: unknown } | undefined)?.serviceUser;
    if (typeof user === "string") target?.user(user);
  });
  caches.users.onChange(({ object }) => {
    const target = sink();
    const name = object.metadata?.name ?? "";
    target?.user(name);
    for (const key of caches.tokensByUser.get(name)) target?.token(key);
  });
  caches.deliverySecrets.onChange(({ object }) => {
    const owner = tokenOwnerKey(object);
    if (owner) sink()?.token(owner);
  });
  caches.hashRecords.onChange(({ object }) => {
    const labels = object.metadata?.labels ?? {};
    const namespace = labels[LABEL_TOKEN_NAMESPACE];
    const name = labels[LABEL_TOKEN_NAME];
    if (namespace && name) sink()?.token(`${namespace}/${name}`);
  });
}

/** The key of the ServiceToken that owns a delivery Secret, if any. */
function tokenOwnerKey(secret: KubeObject): string | undefined {
  const owner = secret.metadata?.ownerReferences?.find((ref) => ref.kind === SERVICE_TOKEN_KIND);
  return owner && secret.metadata?.namespace
    ? `${secret.metadata.namespace}/${owner.name}`
    : undefined;
}

/** Every key currently cached, to enqueue when leadership starts. */
export function allKeys(caches: ControllerCaches): { tokens: string[]; users: string[] } {
  return {
    tokens: caches.tokens.list().map((token) => objectKey(token)),
    users: caches.users.list().map((user) => objectKey(user)),
  };
}
