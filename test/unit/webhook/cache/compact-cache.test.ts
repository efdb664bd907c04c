// The pieces that keep the webhook's cache small: lone values stored as themselves, repeated
// strings shared, and a token and its record pointing at one copy of what they both name.
import { describe, expect, it } from "vitest";
import { hashToken } from "../../../../src/tokens/index.ts";
import { CachedFacts } from "../../../../src/webhook/cache/cached-facts.ts";
import { MultiMap } from "../../../../src/k8s/multi-map.ts";
import { StringPool } from "../../../../src/k8s/string-pool.ts";
import { trimHashRecord, trimServiceToken } from "../../../../src/webhook/cache/trim.ts";
import { previousHashRecordName } from "../../../../src/domain/hash-record.ts";
import type { KubeObject } from "../../../../src/k8s/object.ts";
import { HashRecordIndex } from "../../../../src/webhook/cache/hash-index.ts";
import { issue, pinnedTo, serviceToken, silentLog } from "../fixtures.ts";

/** `record` renamed as the rotated-out (`-previous`) record of its token. */
function asPrevious(record: KubeObject, tokenUid: string): KubeObject {
  return { ...record, metadata: { ...record.metadata, name: previousHashRecordName(tokenUid) } };
}

describe("MultiMap", () => {
  it("files values under a key, by identity, and forgets a key once its last value goes", () => {
    const map = new MultiMap<{ id: string }>();
    const [a, b, c] = [{ id: "a" }, { id: "b" }, { id: "c" }];
    map.add("k", a);
    map.add("k", a);
    expect(map.get("k")).toEqual([a]);
    map.add("k", b);
    map.add("k", c);
    map.add("k", b);
    expect(map.get("k")).toEqual([a, b, c]);
    map.remove("k", b);
    map.remove("k", { id: "a" }); // equal but not the same: stays
    expect(map.get("k")).toEqual([a, c]);
    map.remove("k", a);
    expect(map.get("k")).toEqual([c]);
    map.remove("other", c);
    map.remove("k", c);
    expect(map.get("k")).toEqual([]);
    map.add("k", a);
    expect(map.get("k")).toEqual([a]);
  });

  it("hands out arrays the caller may change without changing the map", () => {
    const map = new MultiMap<{ id: string }>();
    map.add("k", { id: "a" });
    map.add("k", { id: "b" });
    map.get("k").pop();
    expect(map.get("k")).toHaveLength(2);
  });
});

describe("StringPool", () => {
  it("returns one copy per value and starts afresh past its bound", () => {
    const pool = new StringPool(2);
    const first = pool.intern(["pr", "od"].join(""));
    expect(pool.intern("prod")).toBe(first);
    expect(pool.intern(undefined)).toBeUndefined();
    pool.intern("dev");
    expect(pool.size).toBe(2);
    pool.intern("staging");
    expect(pool.size).toBe(1);
    expect(pool.intern("prod")).toBe("prod");
  });
});

describe("CachedFacts sharing strings", () => {
  it("keeps a token and its record agreeing on name, uid and token id, whichever comes first", () => {
    for (const recordFirst of [true, false]) {
      const facts = new CachedFacts(silentLog);
      const token = serviceToken("ci");
      const { value, record } = issue(token);
      const apply = {
        record: (): void =>
          facts.applyHashRecord({ type: "upsert", object: trimHashRecord(record) }),
        token: (): void =>
          facts.applyServiceToken({
            type: "upsert",
            object: trimServiceToken(pinnedTo(token, record)),
          }),
      };
      if (recordFirst) apply.record();
      apply.token();
      if (!recordFirst) apply.record();
      const [cached] = facts.recordsByHash(hashToken(value));
      const cachedToken = facts.serviceToken("prod", "ci");
      expect(cached?.tokenUid).toBe(cachedToken?.metadata.uid);
      expect(cachedToken?.metadata).toMatchObject({ name: "ci", uid: "uid-token-prod-ci" });
      expect(cachedToken?.status?.tokenId).toBe(cached?.tokenId);
      expect(facts.sizes()).toEqual({ hashRecords: 1, serviceTokens: 1, serviceUsers: 0 });
    }
  });

  it("shares nothing with a record of another token under the same name", () => {
    const facts = new CachedFacts(silentLog);
    const stale = issue(serviceToken("ci", { uid: "old-uid" }));
    facts.applyHashRecord({ type: "upsert", object: trimHashRecord(stale.record) });
    facts.applyServiceToken({ type: "upsert", object: trimServiceToken(serviceToken("ci")) });
    expect(facts.serviceToken("prod", "ci")?.metadata.uid).toBe("uid-token-prod-ci");
    expect(facts.recordsByHash(hashToken(stale.value))[0]?.tokenUid).toBe("old-uid");
  });

  it("moves a token between users and forgets it on delete", () => {
    const facts = new CachedFacts(silentLog);
    facts.applyServiceToken({ type: "upsert", object: serviceToken("ci", { user: "a" }) });
    facts.applyServiceToken({ type: "upsert", object: serviceToken("ci", { user: "b" }) });
    expect(facts.tokensOfUser("a")).toEqual([]);
    expect(facts.tokensOfUser("b")).toHaveLength(1);
    facts.applyServiceToken({
      type: "delete",
      object: { metadata: { namespace: "prod", name: "ci" } },
    });
    expect(facts.tokensOfUser("b")).toEqual([]);
    expect(facts.serviceToken("prod", "ci")).toBeUndefined();
    expect(facts.sizes().serviceTokens).toBe(0);
  });
});

describe("HashRecordIndex", () => {
  it("files current and previous records by token uid and hands them out as they were read", () => {
    const index = new HashRecordIndex(new StringPool());
    const token = serviceToken("ci");
    const uid = "uid-token-prod-ci";
    const current = issue(token);
    const previous = issue(token);
    index.apply({ type: "upsert", object: current.record });
    index.apply({ type: "upsert", object: asPrevious(previous.record, uid) });
    const filed = (hash: string, name: string, tokenId: string): object => ({
      name,
      hash,
      tokenId,
      tokenNamespace: "prod",
      tokenName: "ci",
      tokenUid: uid,
      serviceUserUid: "uid-user-ci-bot",
    });
    const currentHash = hashToken(current.value);
    const previousHash = hashToken(previous.value);
    expect(index.lookup(currentHash)).toStrictEqual([
      filed(currentHash, `token-${uid}`, current.tokenId),
    ]);
    expect(index.lookupByTokenId(previous.tokenId)).toStrictEqual([
      filed(previousHash, `token-${uid}-previous`, previous.tokenId),
    ]);
    expect(index.lookupByTokenId(current.tokenId.replace(/.$/, "x"))).toEqual([]);
    expect([...index.names()]).toEqual([`token-${uid}`, `token-${uid}-previous`]);
    expect(index.currentOf(uid)).toEqual({
      tokenNamespace: "prod",
      tokenName: "ci",
      tokenUid: uid,
    });

    index.apply({ type: "delete", object: { metadata: { name: `token-${uid}-previous` } } });
    expect(index.lookup(previousHash)).toEqual([]);
    expect(index.size).toBe(1);
  });

  it("reads `token-<uid>-previous` as whichever record holds that name", () => {
    const index = new HashRecordIndex(new StringPool());
    // A token whose uid ends in -previous: its current record has a previous record's name.
    const odd = issue(serviceToken("odd", { uid: "u-previous" }));
    index.apply({ type: "upsert", object: odd.record });
    expect(index.lookup(hashToken(odd.value))[0]?.name).toBe("token-u-previous");
    index.apply({ type: "delete", object: { metadata: { name: "token-u-previous" } } });
    expect(index.size).toBe(0);
    const rotated = issue(serviceToken("ci", { uid: "u" }));
    index.apply({ type: "upsert", object: asPrevious(rotated.record, "u") });
    expect(index.lookup(hashToken(rotated.value))[0]?.name).toBe("token-u-previous");
    index.apply({ type: "delete", object: { metadata: { name: "token-u-previous" } } });
    expect(index.size).toBe(0);
  });

  it("reuses the slots of deleted records and finds records sharing a token id bucket apart", () => {
    const index = new HashRecordIndex(new StringPool());
    const issued = Array.from({ length: 300 }, (_, i) => issue(serviceToken(`t${i}`)));
    for (const { record } of issued) index.apply({ type: "upsert", object: record });
    for (const { record } of issued.slice(0, 100)) index.apply({ type: "delete", object: record });
    for (const { record } of issued.slice(0, 100)) index.apply({ type: "upsert", object: record });
    expect(index.size).toBe(300);
    for (const { value } of issued) {
      expect(index.lookup(hashToken(value)).map((r) => r.hash)).toEqual([hashToken(value)]);
    }
  });
});

describe("CachedFacts at a relist", () => {
  it("keeps a token re-announced as it is, and replaces one that changed", () => {
    const facts = new CachedFacts(silentLog);
    const { value, record } = issue(serviceToken("ci"));
    const token = pinnedTo(serviceToken("ci"), record);
    facts.applyHashRecord({ type: "upsert", object: trimHashRecord(record) });
    facts.applyServiceToken({ type: "upsert", object: trimServiceToken(token) });
    const held = facts.serviceToken("prod", "ci");
    facts.applyServiceToken({ type: "upsert", object: trimServiceToken(structuredClone(token)) });
    facts.applyHashRecord({ type: "upsert", object: trimHashRecord(structuredClone(record)) });
    expect(facts.serviceToken("prod", "ci")).toBe(held);
    expect(facts.recordsByHash(hashToken(value))).toHaveLength(1);

    const revoked = { ...token, spec: { ...(token.spec as object), revoked: true } };
    facts.applyServiceToken({ type: "upsert", object: trimServiceToken(revoked) });
    expect(facts.serviceToken("prod", "ci")).not.toBe(held);
    expect(facts.serviceToken("prod", "ci")?.spec.revoked).toBe(true);
    expect(facts.tokensOfUser("ci-bot")).toHaveLength(1);
    expect(facts.sizes()).toEqual({ hashRecords: 1, serviceTokens: 1, serviceUsers: 0 });
  });
});
