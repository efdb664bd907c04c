// What the controller's caches hold per token reads back as it was cached: its ServiceToken,
// delivery Secret and hash record, trimmed and shared as the informers keep them, then packed.
import { describe, expect, it } from "vitest";
import { API_GROUP_VERSION } from "../../../src/api/index.ts";
import { secretPacker, tokenPacker } from "../../../src/controller/cache-packers.ts";
import { cacheTransforms } from "../../../src/controller/cache-sharing.ts";
import { desiredDeliverySecret } from "../../../src/controller/service-token/desired.ts";
import { desiredHashRecord } from "../../../src/domain/hash-record.ts";
import type { KubeObject } from "../../../src/k8s/object.ts";
import type { ObjectPacker } from "../../../src/k8s/packed-object.ts";
import { generateToken, hashToken, tokenIdFromHash } from "../../../src/tokens/index.ts";
import { token } from "./builders.ts";

const value = generateToken();
const hash = hashToken(value);
const tokenId = tokenIdFromHash(hash);

/** A ServiceToken as listed, with `status` and `metadata` over the builder's. */
const listedToken = (metadata: object, status: object): KubeObject => {
  const built = token({
    name: "ci",
    namespace: "prod",
    uid: "0b000000-0000-4000-8000-000000000001",
  });
  return {
    ...built,
    metadata: { ...built.metadata, resourceVersion: "1000020", generation: 1, ...metadata },
    status: {
      phase: "Active",
      tokenId,
      username: "ci-bot@service",
      secretName: "ci-token",
      createdAt: "2026-12-05T11:49:08Z",
      serviceUserUid: "0a000000-0000-4000-8000-000000000000",
      conditions: [
        {
          type: "Ready",
          status: "True",
          reason: "Active",
          message: "The token is active.",
          lastTransitionTime: "2026-12-05T11:49:08Z",
          observedGeneration: 1,
        },
      ],
      ...status,
    },
  };
};

const kept = cacheTransforms();
const delivery = desiredDeliverySecret(listedToken({}, {}) as never, {
  value,
  username: "ci-bot@service",
  tokenId,
  expiresAt: undefined,
});
const record = desiredHashRecord({
  operatorNamespace: "svctokens-system",
  token: { namespace: "prod", name: "ci", uid: "0b000000-0000-4000-8000-000000000001" },
  serviceUserUid: "0a000000-0000-4000-8000-000000000000",
  hash,
  createdAt: new Date("2026-12-05T11:49:08Z"),
  expiresAt: new Date("2027-12-05T11:49:08Z"),
});
const withServerFields = (secret: KubeObject, resourceVersion: string): KubeObject => ({
  ...secret,
  metadata: { ...secret.metadata, resourceVersion },
});

describe("the controller's cache packers", () => {
  it.each<[string, () => ObjectPacker, KubeObject]>([
    ["a settled token", tokenPacker, kept.token(listedToken({}, {}))],
    [
      "a token being deleted, used, expiring, with times in other forms",
      tokenPacker,
      kept.token(
        listedToken(
          { creationTimestamp: "2026-12-05T11:49:08Z", deletionTimestamp: "2026-12-06T00:00:00Z" },
          {
            expiresAt: "2027-12-05T11:49:08Z",
            lastUsedAt: "2026-12-05T11:50:00.123456Z",
            currentValueCreatedAt: "2026-12-05T12:49:08+01:00",
            observedGeneration: 1,
          },
        ),
      ),
    ],
    [
      "a token with a resourceVersion that is not a decimal",
      tokenPacker,
      kept.token(listedToken({ resourceVersion: "0x10" }, {})),
    ],
    ["a delivery Secret", secretPacker, kept.secret(withServerFields(delivery, "1000022"))],
    ["a hash record", secretPacker, kept.secret(withServerFields(record, "1000021"))],
  ])("rebuild %s equal to what was cached", (_name, packer, cached) => {
    const before = JSON.stringify(cached);
    const unpacked = packer().unpack(packer().pack(cached));
    expect(unpacked).toStrictEqual(cached);
    expect(JSON.stringify(unpacked)).toBe(before);
  });

  it("keep shared parts by reference, frozen", () => {
    const cached = kept.token(listedToken({}, {}));
    const packer = tokenPacker();
    const unpacked = packer.unpack(packer.pack(cached)) as KubeObject;
    expect(unpacked.spec).toBe(cached.spec);
    expect(Object.isFrozen(unpacked.spec)).toBe(true);
    expect(unpacked.apiVersion).toBe(API_GROUP_VERSION);
  });

  it("keep a token's values small: no version or token byte as its listed string", () => {
    const packer = secretPacker();
    const values = packer.pack(kept.secret(withServerFields(delivery, "1000022"))).slice(1);
    expect(values).toContain(1_000_022);
    expect(values).not.toContain((delivery.data as { token: string }).token);
    const tokenValues = tokenPacker()
      .pack(kept.token(listedToken({}, {})))
      .slice(1);
    expect(tokenValues).toContain(1_000_020);
  });
});
