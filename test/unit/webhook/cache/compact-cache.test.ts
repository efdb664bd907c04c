// The pieces that keep the webhook's cache small: lone values stored as themselves, repeated
// strings shared, and a token and its record pointing at one copy of what they both name.
import { describe, expect, it } from "vitest";
import { hashToken } from "../../../../src/tokens/index.ts";
import { CachedFacts } from "../../../../src/webhook/cache/cached-facts.ts";
import { MultiMap } from "../../../../src/k8s/multi-map.ts";
import { StringPool } from "../../../../src/webhook/cache/string-pool.ts";
import { trimHashRecord, trimServiceToken } from "../../../../src/webhook/cache/trim.ts";
import { issue, pinnedTo, serviceToken, silentLog } from "../fixtures.ts";

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
