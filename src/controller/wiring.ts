// Which keys to reconcile when something in a cache changes: the mapping from every watched
// object to the ServiceTokens and ServiceUsers it affects.
import { LABEL_TOKEN_NAME, LABEL_TOKEN_NAMESPACE, SERVICE_TOKEN_KIND } from "../api/index.ts";
import { objectKey, type KubeObject } from "../k8s/object.ts";
import type { ControllerCaches } from "./caches.ts";

/** Where to send keys. */
export interface KeySink {
  token(key: string): void;
  user(name: string): void;
  /** A token of the user changed: its status follows, coalesced (status-spacing.ts). */
  userOfChangedToken(name: string): void;
}

/** Subscribes `sink` to every cache; runs for each relist too (that is the resync). */
export function connectCachesToQueues(
  caches: ControllerCaches,
  sink: () => KeySink | undefined,
): void {
  caches.tokens.onChange(({ object }) => {
    const target = sink();
    target?.token(caches.tokenKeys.known(objectKey(object)));
    const user = (object.spec as { serviceUser?: unknown } | undefined)?.serviceUser;
    if (typeof user === "string") target?.userOfChangedToken(user);
  });
  const seenUsers = new Map<string, string>();
  caches.users.onChange(({ type, object }) => {
    const target = sink();
    const name = object.metadata?.name ?? "";
    target?.user(name);
    // Tokens read the user's spec, uid and existence, not its status: the controller's own
    // status writes (and relists) must not re-run every token of the user.
    const facts = type === "delete" ? undefined : userFactsForTokens(object);
    const before = seenUsers.get(name);
    if (facts === undefined) seenUsers.delete(name);
    else seenUsers.set(name, facts);
    if (facts !== before) for (const key of caches.tokensByUser.get(name)) target?.token(key);
  });
  caches.deliverySecrets.onChange(({ object }) => {
    const owner = tokenOwnerKey(object);
    if (owner) sink()?.token(caches.tokenKeys.known(owner));
  });
  caches.hashRecords.onChange(({ object }) => {
    const labels = object.metadata?.labels ?? {};
    const namespace = labels[LABEL_TOKEN_NAMESPACE];
    const name = labels[LABEL_TOKEN_NAME];
    if (namespace && name) sink()?.token(caches.tokenKeys.known(`${namespace}/${name}`));
  });
}

/**
 * What of a ServiceUser its tokens' reconciles depend on, as one comparable string: its uid, its
 * spec (by generation, which status writes do not move) and whether it is being deleted.
 */
export function userFactsForTokens(user: KubeObject): string {
  const meta = user.metadata ?? {};
  return JSON.stringify([meta.uid, meta.generation, meta.deletionTimestamp !== undefined]);
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
    tokens: caches.tokens.keys(),
    users: caches.users.list().map((user) => objectKey(user)),
  };
}
