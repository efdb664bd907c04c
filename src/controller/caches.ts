// The controller's view of the cluster: informers on ServiceUsers, ServiceTokens, delivery
// Secrets (any namespace) and hash records (operator namespace), Namespaces and the team
// RoleBindings the controller keeps, with the indexes reconcilers need. Secrets are selected by
// type AND the managed-by label: an unlabelled Secret is never the controller's, and a name the
// cache calls free is read directly before anything is written.
import type { Logger } from "pino";
import {
  DELIVERY_SECRET_TYPE,
  HASH_RECORD_SECRET_TYPE,
  LABEL_TEAM,
  LABEL_TOKEN_NAME,
  LABEL_TOKEN_NAMESPACE,
  MANAGED_BY_LABEL_KEY,
  MANAGED_BY_LABEL_VALUE,
  SERVICE_TOKENS,
  SERVICE_USERS,
} from "../api/index.ts";
import { Informer } from "../k8s/informer.ts";
import { InformerGroup } from "../k8s/informer-group.ts";
import { KeyPool } from "../k8s/key-pool.ts";
import { CheckedIndex } from "../k8s/checked-index.ts";
import { SecondaryIndex } from "../k8s/secondary-index.ts";
import { objectKey, type KubeObject } from "../k8s/object.ts";
import { NAMESPACES, ROLE_BINDINGS, SECRETS } from "../k8s/paths.ts";
import type { KubeRest } from "../k8s/rest.ts";
import { RecentWrites } from "./recent-writes.ts";
import { secretPacker, tokenPacker } from "./cache-packers.ts";
import { cacheTransforms } from "./cache-sharing.ts";
import { shareDeliveryStrings, shareRecordStrings, type TokenLookup } from "./token-strings.ts";

const MANAGED_BY_SELECTOR = `${MANAGED_BY_LABEL_KEY}=${MANAGED_BY_LABEL_VALUE}`;

/** Everything the reconcilers read, all from memory. */
export class ControllerCaches extends InformerGroup {
  /** The ServiceToken at `key`: the cached one, or our own later write of it. */
  token(key: string): KubeObject | undefined {
    return this.tokenWrites.freshest(key, this.tokens.get(key));
  }

  /** The cached ServiceTokens of one namespace (only those are unpacked). */
  tokensIn(namespace: string): KubeObject[] {
    const prefix = `${namespace}/`;
    return this.tokens.list((key) => key.startsWith(prefix));
  }

  /**
   * One `namespace/name` per cached ServiceToken, shared by the token cache, the indexes and
   * the queues: take keys of tokens from here (`known`), not from objectKey.
   */
  readonly tokenKeys: KeyPool;
  readonly users: Informer;
  readonly tokens: Informer;
  readonly deliverySecrets: Informer;
  readonly hashRecords: Informer;
  readonly namespaces: Informer;
  /** RoleBindings the controller keeps in team namespaces (selected by their labels). */
  readonly teamBindings: Informer;
  /** ServiceUser name → keys of its ServiceTokens. */
  readonly tokensByUser: CheckedIndex;
  /** Token `namespace/name` → names of hash records pointing at it. */
  readonly recordsByToken: CheckedIndex;
  /** Team RoleBinding key → its namespace. */
  readonly teamBindingsByNamespace = new SecondaryIndex();
  /** ServiceTokens as the controller's own writes returned them, until the cache catches up. */
  readonly tokenWrites = new RecentWrites();

  constructor(rest: KubeRest, operatorNamespace: string, relistIntervalMs: number, log: Logger) {
    const tokenKeys = new KeyPool();
    const informers = controllerInformers(
      rest,
      operatorNamespace,
      relistIntervalMs,
      log,
      tokenKeys,
    );
    super(Object.values(informers));
    this.tokenKeys = tokenKeys;
    this.users = informers.users;
    this.tokens = informers.tokens;
    this.deliverySecrets = informers.deliverySecrets;
    this.hashRecords = informers.hashRecords;
    this.namespaces = informers.namespaces;
    this.teamBindings = informers.teamBindings;
    this.teamBindings.onChange(({ type, object }) => {
      const key = objectKey(object);
      if (type === "delete") this.teamBindingsByNamespace.delete(key);
      else this.teamBindingsByNamespace.set(key, object.metadata?.namespace);
    });
    // Both indexes read where an object is filed from the cache (checked-index.ts): no map
    // back from each token and record to its index key.
    const tokens = this.tokens;
    this.tokensByUser = new CheckedIndex((key) => serviceUserOf(tokens.get(key)));
    this.tokens.onChange((event) => this.tokenWrites.observe(event));
    this.tokens.onChange(({ type, object }) => {
      const key = tokenKeys.known(objectKey(object));
      if (type === "delete") {
        this.tokensByUser.remove(key, serviceUserOf(object));
        // Queues may still hold the string; the pool only stops handing it out.
        tokenKeys.release(key);
      } else this.tokensByUser.add(key, serviceUserOf(object));
    });
    const records = this.hashRecords;
    const tokenKeyOf = (record: KubeObject | undefined): string | undefined => {
      const key = recordTokenKey(record);
      return key === undefined ? undefined : tokenKeys.known(key);
    };
    this.recordsByToken = new CheckedIndex((name) => recordTokenKey(records.get(name)));
    this.hashRecords.onChange(({ type, object }) => {
      const name = object.metadata?.name ?? "";
      if (type === "delete") this.recordsByToken.remove(name, tokenKeyOf(object));
      else this.recordsByToken.add(name, tokenKeyOf(object));
    });
  }

  /**
   * Starts the informers; the Secrets' once the tokens are cached, so that each Secret takes
   * its token's strings as it arrives (token-strings.ts). The process parses one list at a
   * time either way. An informer started after stop() returns at once: no guard is needed.
   */
  override start(): void {
    const secrets: readonly Informer[] = [this.deliverySecrets, this.hashRecords];
    for (const informer of this.all()) if (!secrets.includes(informer)) informer.start();
    void this.tokens.synced.then(() => {
      for (const informer of secrets) informer.start();
    });
  }
}

/** The ServiceUser a cached token names, if it names one. */
function serviceUserOf(token: KubeObject | undefined): string | undefined {
  const user = (token?.spec as { serviceUser?: unknown } | undefined)?.serviceUser;
  return typeof user === "string" ? user : undefined;
}

/** The `namespace/name` of the token a hash record's labels name, if they name one. */
function recordTokenKey(record: KubeObject | undefined): string | undefined {
  const labels = record?.metadata?.labels;
  const namespace = labels?.[LABEL_TOKEN_NAMESPACE];
  const name = labels?.[LABEL_TOKEN_NAME];
  return namespace === undefined || name === undefined ? undefined : `${namespace}/${name}`;
}

/** The controller's informers, by what they hold. */
function controllerInformers(
  rest: KubeRest,
  operatorNamespace: string,
  relistIntervalMs: number,
  log: Logger,
  tokenKeys: KeyPool,
): Record<
  "users" | "tokens" | "deliverySecrets" | "hashRecords" | "namespaces" | "teamBindings",
  Informer
> {
  // Trimmed and shared on ingest (cache-sharing.ts): at 100k tokens, managedFields would be
  // most of what the caches hold, and repeated strings most of the rest.
  const kept = cacheTransforms();
  const common = { rest, relistIntervalMs, log, transform: kept.other };
  // Secrets are read by key only: kept packed, two small arrays per token instead of a dozen
  // objects (record 73).
  const packer = secretPacker();
  const secrets = { ...common, resource: SECRETS, packer };
  // The tokens' informer, for the Secrets' transforms (called only once it has synced).
  const token: TokenLookup = (key) => tokens.get(key);
  const tokens = new Informer({
    ...common,
    resource: SERVICE_TOKENS,
    transform: kept.token,
    keyOf: (object) => tokenKeys.keyOf(object),
    // Packed too (record 81): one array of ~20 values instead of five objects.
    packer: tokenPacker(),
  });
  return {
    users: new Informer({ ...common, resource: SERVICE_USERS }),
    tokens,
    deliverySecrets: new Informer({
      ...secrets,
      transform: (secret) => shareDeliveryStrings(kept.secret(secret), token),
      fieldSelector: `type=${DELIVERY_SECRET_TYPE}`,
      labelSelector: MANAGED_BY_SELECTOR,
    }),
    hashRecords: new Informer({
      ...secrets,
      namespace: operatorNamespace,
      transform: (record) => shareRecordStrings(kept.secret(record), token),
      // By name: every record is in the operator namespace, and its name is already held.
      keyOf: (record) => record.metadata?.name ?? "",
      fieldSelector: `type=${HASH_RECORD_SECRET_TYPE}`,
      labelSelector: MANAGED_BY_SELECTOR,
    }),
    namespaces: new Informer({ ...common, resource: NAMESPACES }),
    teamBindings: new Informer({
      ...common,
      resource: ROLE_BINDINGS,
      labelSelector: `${MANAGED_BY_LABEL_KEY}=${MANAGED_BY_LABEL_VALUE},${LABEL_TEAM}`,
    }),
  };
}
