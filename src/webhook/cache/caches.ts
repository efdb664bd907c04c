// src/webhook/cache/: the webhook's informer caches and the read-only facts its decisions use.
// The webhook's informers: hash records in its own namespace (the only Secrets it reads),
// ServiceTokens in every namespace and ServiceUsers, feeding one CachedFacts. Objects are
// trimmed on arrival to the fields the decisions read (trim.ts), and CachedFacts holds the only
// copy: the informers keep keys alone (record 65), and for the two kinds with one object per
// token not even those: CachedFacts says what it holds when a relist asks (record 70).
import type { Logger } from "pino";
import { Informer } from "../../k8s/informer.ts";
import { InformerGroup } from "../../k8s/informer-group.ts";
import { SECRETS } from "../../k8s/paths.ts";
import type { KubeRest } from "../../k8s/rest.ts";
import { CachedFacts } from "./cached-facts.ts";
import { trimHashRecord, trimServiceToken, trimServiceUser } from "./trim.ts";
import { handBackListingMemory } from "../../k8s/hand-back-memory.ts";
import {
  HASH_RECORD_SECRET_TYPE,
  MANAGED_BY_LABEL_KEY,
  MANAGED_BY_LABEL_VALUE,
  SERVICE_TOKENS,
  SERVICE_USERS,
} from "../../api/index.ts";

/** How to build the caches. */
export interface WebhookCachesOptions {
  rest: KubeRest;
  /** The operator's namespace, where the controller writes hash records. */
  namespace: string;
  relistIntervalMs: number;
  log: Logger;
}

/** Informers plus the facts they keep current; ready once all three have listed. */
export class WebhookCaches extends InformerGroup {
  readonly facts: CachedFacts;
  #firstSync: Promise<void> | undefined;

  constructor(options: WebhookCachesOptions) {
    const { rest, relistIntervalMs, log } = options;
    const facts = new CachedFacts(log);
    const hashRecords = new Informer({
      rest,
      relistIntervalMs,
      log,
      resource: SECRETS,
      namespace: options.namespace,
      fieldSelector: `type=${HASH_RECORD_SECRET_TYPE}`,
      // Labelled Secrets pass the admission webhook, which lets only the controller write them;
      // requiring the label keeps hand-made "records" out of the index.
      labelSelector: `${MANAGED_BY_LABEL_KEY}=${MANAGED_BY_LABEL_VALUE}`,
      transform: trimHashRecord,
      keep: { held: () => facts.heldHashRecords() },
    });
    const tokens = new Informer({
      ...{ rest, relistIntervalMs, log, resource: SERVICE_TOKENS },
      transform: trimServiceToken,
      keep: { held: () => facts.heldServiceTokens() },
    });
    const users = new Informer({
      ...{ rest, relistIntervalMs, log, resource: SERVICE_USERS },
      transform: trimServiceUser,
      keep: "keys",
    });
    hashRecords.onChange((event) => facts.applyHashRecord(event));
    tokens.onChange((event) => facts.applyServiceToken(event));
    users.onChange((event) => facts.applyServiceUser(event));
    super([hashRecords, tokens, users]);
    this.facts = facts;
  }

  /** Resolves once every informer has listed, and what that borrowed is handed back. */
  override synced(): Promise<void> {
    this.#firstSync ??= super.synced().then(handBackListingMemory);
    return this.#firstSync;
  }
}
