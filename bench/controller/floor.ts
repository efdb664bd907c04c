// The floor of the controller benchmark: the essential writes of N tokens — delivery Secret,
// hash record, one status — issued directly, with the controller's client and concurrency,
// as the tokens are created (so creation overlaps, as it does for the product). Shaped like
// the controller's objects, but typed and labelled so no controller would ever pick them up.
import { SERVICE_TOKENS, ServiceTokenPhase, parseServiceToken } from "../../src/api/index.ts";
import { desiredHashRecord } from "../../src/domain/hash-record.ts";
import {
  desiredDeliverySecret,
  desiredTokenStatus,
  phaseVerdict,
} from "../../src/controller/service-token/desired.ts";
import { CONTROLLER_CLIENT } from "../../src/k8s/client-identity.ts";
import { PATCH, type KubeRest } from "../../src/k8s/rest.ts";
import type { KubeObject } from "../../src/k8s/object.ts";
import { SECRETS, resourcePath, withQuery } from "../../src/k8s/paths.ts";
import { generateToken, hashToken, tokenIdFromHash } from "../../src/tokens/index.ts";
import { inParallel } from "./cluster.ts";

const FIELD_MANAGER = { fieldManager: CONTROLLER_CLIENT.fieldManager };

/** One token's essential writes. */
async function essentialWrites(
  rest: KubeRest,
  created: KubeObject,
  recordsNamespace: string,
): Promise<void> {
  const token = parseServiceToken(created);
  const now = new Date();
  const expiresAt = new Date(now.getTime() + 30 * 86_400_000);
  const value = generateToken();
  const hash = hashToken(value);
  const tokenId = tokenIdFromHash(hash);
  const namespace = token.metadata.namespace ?? "";
  const delivery = desiredDeliverySecret(token, {
    value,
    username: "bench@service",
    tokenId,
    expiresAt,
  });
  const record = desiredHashRecord({
    operatorNamespace: recordsNamespace,
    token: { namespace, name: token.metadata.name, uid: token.metadata.uid ?? "" },
    serviceUserUid: "floor",
    hash,
    createdAt: now,
    expiresAt,
  });
  // Same size, but no controller type or label: nothing would mistake them for the real thing.
  for (const secret of [delivery, record]) {
    secret.type = "Opaque";
    delete secret.metadata?.labels?.["app.kubernetes.io/managed-by"];
    await rest.request(
      "POST",
      withQuery(resourcePath(SECRETS, { namespace: secret.metadata?.namespace }), FIELD_MANAGER),
      secret,
    );
  }
  const status = desiredTokenStatus({
    token,
    phase: ServiceTokenPhase.Active,
    tokenId,
    username: "bench@service",
    secretName: delivery.metadata?.name,
    createdAt: now,
    expiresAt,
    serviceUserUid: "floor",
    verdict: phaseVerdict(ServiceTokenPhase.Active),
    now,
  });
  const path = resourcePath(SERVICE_TOKENS, {
    namespace,
    name: token.metadata.name,
    subresource: "status",
  });
  await rest.request("PATCH", withQuery(path, FIELD_MANAGER), { status }, PATCH.merge);
}

/**
 * Creates `count` tokens in `namespace` (16 creators) while `concurrency` workers issue each
 * created token's essential writes. Resolves with the milliseconds from first create to last write.
 */
export async function runFloor(
  rest: KubeRest,
  options: {
    namespace: string;
    recordsNamespace: string;
    user: string;
    count: number;
    concurrency: number;
  },
): Promise<number> {
  const created: KubeObject[] = [];
  let creating = true;
  let waiting: (() => void)[] = [];
  const wake = (): void => {
    const all = waiting;
    waiting = [];
    for (const resolve of all) resolve();
  };
  const started = performance.now();
  const creators = inParallel(options.count, 16, async (i) => {
    created.push(await createToken(rest, options.namespace, `t-${i}`, options.user));
    wake();
  }).finally(() => {
    creating = false;
    wake();
  });
  const worker = async (): Promise<void> => {
    for (;;) {
      const next = created.shift();
      if (next) await essentialWrites(rest, next, options.recordsNamespace);
      else if (!creating) return;
      else await new Promise<void>((resolve) => waiting.push(resolve));
    }
  };
  await Promise.all([creators, ...Array.from({ length: options.concurrency }, worker)]);
  return performance.now() - started;
}

/** Creates one ServiceToken the way the benchmark's product run does. */
export async function createToken(
  rest: KubeRest,
  namespace: string,
  name: string,
  user: string,
): Promise<KubeObject> {
  return rest.request<KubeObject>("POST", resourcePath(SERVICE_TOKENS, { namespace }), {
    apiVersion: "svctokens.dev/v1alpha1",
    kind: "ServiceToken",
    metadata: { name },
    // 90 days: outside every ExpiringSoon window (30, 7, 1), so the figures measure generation,
    // not the notice a token created inside a window gets at once (2 Events + 1 status write).
    spec: { serviceUser: user, expiresInDays: 90 },
  });
}
