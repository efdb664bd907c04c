import { describe, expect, it } from "vitest";
import {
  shareDeliveryStrings,
  shareRecordStrings,
  type TokenLookup,
} from "../../../src/controller/token-strings.ts";
import { desiredDeliverySecret } from "../../../src/controller/service-token/desired.ts";
import { desiredHashRecord } from "../../../src/domain/hash-record.ts";
import type { KubeObject } from "../../../src/k8s/object.ts";
import { hashToken, tokenIdFromHash } from "../../../src/tokens/index.ts";
import { token as tokenOf } from "./builders.ts";

// String identity cannot be observed from JavaScript (the memory is, by the benchmark); what
// matters here is that no value ever changes, whatever the token the lookup finds.
const HASH = hashToken("svct_example");
const cachedToken = tokenOf({ name: "ci", namespace: "team-a", uid: "uid-ci" });
const tokenWithStatus: KubeObject = {
  ...cachedToken,
  status: { tokenId: tokenIdFromHash(HASH), secretName: "ci-token" },
};
const parsed = (object: KubeObject): KubeObject => JSON.parse(JSON.stringify(object)) as KubeObject;
const delivery = (uid: string): KubeObject =>
  parsed(
    desiredDeliverySecret(
      { ...cachedToken, metadata: { ...cachedToken.metadata, uid } },
      { value: "svct_example", username: "ci@service", tokenId: "0123", expiresAt: undefined },
    ),
  );
const record = (uid: string, name = "ci"): KubeObject =>
  parsed(
    desiredHashRecord({
      operatorNamespace: "svctokens-system",
      token: { namespace: "team-a", name, uid },
      serviceUserUid: "uid-user",
      hash: HASH,
      createdAt: new Date("2026-01-01T00:00:00Z"),
      expiresAt: undefined,
    }),
  );

const lookups: [string, TokenLookup][] = [
  ["its token", (key) => (key === "team-a/ci" ? tokenWithStatus : undefined)],
  ["no token", () => undefined],
  [
    "another token under its key",
    () => ({ ...tokenWithStatus, metadata: { name: "x", uid: "y" } }),
  ],
];

describe("shareDeliveryStrings and shareRecordStrings", () => {
  it.each(lookups)("keep every value of a Secret whose lookup finds %s", (_what, lookup) => {
    for (const uid of ["uid-ci", "uid-older-ci"]) {
      const secret = delivery(uid);
      expect(shareDeliveryStrings(secret, lookup)).toEqual(delivery(uid));
      expect(shareDeliveryStrings(secret, lookup)).toBe(secret);
      for (const name of ["ci", "other"]) {
        expect(shareRecordStrings(record(uid, name), lookup)).toEqual(record(uid, name));
      }
    }
  });

  it("leave Secrets without an owner token or token labels as they are", () => {
    const lookup = lookups[0]?.[1] ?? (() => undefined);
    const bare: KubeObject = { apiVersion: "v1", kind: "Secret", metadata: { name: "x" } };
    expect(shareDeliveryStrings(parsed(bare), lookup)).toEqual(bare);
    expect(shareRecordStrings(parsed(bare), lookup)).toEqual(bare);
  });
});
