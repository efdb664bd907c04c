import { describe, expect, it } from "vitest";
import { hashToken } from "../../../../src/tokens/index.ts";
import { CachedFacts } from "../../../../src/webhook/cache/cached-facts.ts";
import { issue, serviceToken, serviceUser, silentLog } from "../fixtures.ts";

describe("CachedFacts", () => {
  it("indexes hash records by hash and follows updates and deletes", () => {
    const facts = new CachedFacts(silentLog);
    const first = issue(serviceToken("ci"));
    facts.applyHashRecord({ type: "upsert", object: first.record });
    expect(facts.recordsByHash(hashToken(first.value))).toMatchObject([
      { tokenNamespace: "prod", tokenName: "ci", tokenId: first.tokenId },
    ]);

    const regenerated = issue(serviceToken("ci")); // same Secret name, new hash
    facts.applyHashRecord({ type: "upsert", object: regenerated.record });
    expect(facts.recordsByHash(hashToken(first.value))).toEqual([]);
    expect(facts.recordsByHash(hashToken(regenerated.value))).toHaveLength(1);

    facts.applyHashRecord({ type: "delete", object: regenerated.record });
    expect(facts.recordsByHash(hashToken(regenerated.value))).toEqual([]);
    expect(facts.sizes().hashRecords).toBe(0);
  });

  it("finds a record by its exact hash only: every digit, lowercase, with its prefix", () => {
    const facts = new CachedFacts(silentLog);
    const { value, record } = issue(serviceToken("ci"));
    facts.applyHashRecord({ type: "upsert", object: record });
    const hash = hashToken(value);
    expect(facts.recordsByHash(hash)).toMatchObject([{ hash, tokenName: "ci" }]);
    const digits = hash.slice("sha256:".length);
    for (let at = 0; at < digits.length; at++) {
      const other = digits[at] === "0" ? "1" : "0";
      const changed = `sha256:${digits.slice(0, at)}${other}${digits.slice(at + 1)}` as const;
      expect(facts.recordsByHash(changed), `digit ${at}`).toEqual([]);
    }
    const odd = [
      `sha256:${digits.toUpperCase()}`,
      `sha256:${digits}0`,
      `sha256:${digits.slice(1)}`,
    ];
    for (const text of [...odd, `sha257:${digits}`, `sha256:${digits.slice(0, -1)}g`]) {
      expect(facts.recordsByHash(text as typeof hash), text).toEqual([]);
    }
  });

  it("drops a record that becomes incomplete", () => {
    const facts = new CachedFacts(silentLog);
    const { value, record } = issue(serviceToken("ci"));
    facts.applyHashRecord({ type: "upsert", object: record });
    facts.applyHashRecord({ type: "upsert", object: { ...record, data: {} } });
    expect(facts.recordsByHash(hashToken(value))).toEqual([]);
  });

  it("finds tokens by user and by client-generated hash, across namespaces", () => {
    const facts = new CachedFacts(silentLog);
    const hash = hashToken("x");
    const tokens = [
      serviceToken("ci", { namespace: "prod" }),
      serviceToken("ci", { namespace: "staging", tokenHash: hash }),
      serviceToken("ci", { namespace: "dev", user: "other" }),
    ];
    for (const object of tokens) facts.applyServiceToken({ type: "upsert", object });
    expect(
      facts
        .tokensOfUser("ci-bot")
        .map((t) => t.metadata.namespace)
        .sort(),
    ).toEqual(["prod", "staging"]);
    expect(facts.tokensWithSpecHash(hash).map((t) => t.metadata.namespace)).toEqual(["staging"]);
    facts.applyServiceToken({ type: "delete", object: tokens[1]! });
    expect(facts.tokensOfUser("ci-bot")).toHaveLength(1);
    expect(facts.tokensWithSpecHash(hash)).toEqual([]);
    expect(facts.serviceToken("dev", "ci")?.spec.serviceUser).toBe("other");
  });

  it("treats an object its schema rejects as absent", () => {
    const facts = new CachedFacts(silentLog);
    facts.applyServiceUser({ type: "upsert", object: serviceUser("ci-bot") });
    facts.applyServiceUser({
      type: "upsert",
      object: { ...serviceUser("ci-bot"), spec: { role: "Owner" } },
    });
    expect(facts.serviceUser("ci-bot")).toBeUndefined();
    facts.applyServiceToken({ type: "upsert", object: { ...serviceToken("ci"), spec: {} } });
    expect(facts.serviceToken("prod", "ci")).toBeUndefined();
  });
});
