// ServiceTokens kept by column: a token read back is the token stored (same values, same JSON),
// whichever way it is kept; timestamps as numbers give back their exact text.
import { describe, expect, it } from "vitest";
import { parseServiceToken, type ServiceToken } from "../../../../src/api/index.ts";
import { StringPool } from "../../../../src/k8s/string-pool.ts";
import {
  isoText,
  packColumns,
  packTime,
  TimeFormat,
  timeText,
} from "../../../../src/webhook/cache/token-columns.ts";
import { ServiceTokenStore } from "../../../../src/webhook/cache/token-store.ts";
import { trimServiceToken } from "../../../../src/webhook/cache/trim.ts";
import { serviceToken, type TokenOptions } from "../fixtures.ts";

const STATUS = {
  phase: "Active",
  tokenId: "0123456789abcdef",
  createdAt: "2025-05-01T00:00:00.123Z",
  serviceUserUid: "uid-user-ci-bot",
  expiresAt: "2025-05-31T00:00:00.123Z",
};

/** A token as the cache parses it: trimmed, then through the schema. */
function cached(
  name: string,
  options: TokenOptions = {},
  metadata: Record<string, unknown> = {},
): ServiceToken {
  const object = serviceToken(name, options);
  return parseServiceToken(
    trimServiceToken({ ...object, metadata: { ...object.metadata, ...metadata } }),
  );
}

describe("packTime", () => {
  it.each([
    ["2026-11-01T00:00:00.000Z", TimeFormat.millis],
    ["2026-11-01T00:00:00.123Z", TimeFormat.millis],
    ["2026-11-01T00:00:00Z", TimeFormat.seconds],
    ["1969-12-31T23:59:59Z", TimeFormat.seconds],
    ["2026-11-01T00:00:00.5Z", undefined],
    ["2026-11-01T00:00:00.123456Z", undefined],
    ["2026-11-01T01:00:00+01:00", undefined],
    ["2026-11-01t00:00:00Z", undefined],
    ["not a time", undefined],
  ])("%s → format %s, and back to the same text", (text, format) => {
    const packed = packTime(text);
    expect(packed?.format).toBe(format);
    if (packed !== undefined) {
      expect(packed.ms).toBe(Date.parse(text));
      expect(timeText(packed.ms, packed.format)).toBe(text);
    }
  });

  it("keeps an absent time absent", () => {
    const packed = packTime(undefined);
    expect(packed?.format).toBe(TimeFormat.absent);
    expect(timeText(packed?.ms ?? 0, TimeFormat.absent)).toBeUndefined();
  });
});

/** Tokens of every kind the cache meets, and whether each is kept by column. */
const TOKENS: [string, ServiceToken, boolean][] = [
  ["without status", cached("a"), true],
  ["with the controller's status", cached("b", { expiresInDays: 30, status: STATUS }), true],
  [
    "revoked, last used, with a created time",
    cached(
      "c",
      { revoked: true, status: { ...STATUS, lastUsedAt: "2025-05-02T00:00:00Z" } },
      { creationTimestamp: "2025-04-30T23:59:59Z" },
    ),
    true,
  ],
  ["with an empty status", cached("d", { status: {} }), true],
  ["with a pending status", cached("e", { status: { phase: "Active" } }), true],
  ["without a uid", cached("f", {}, { uid: undefined }), true],
  [
    "with a secret name",
    parseServiceToken({ ...cached("g"), spec: { serviceUser: "u", secretName: "s" } }),
    true,
  ],
  ["with audiences", cached("h", { audiences: ["scim"] }), false],
  ["client-generated", cached("i", { tokenHash: `sha256:${"a".repeat(64)}` }), false],
  ["with rotation", cached("j", { rotation: { everyDays: 7 } }), false],
  ["being deleted", cached("k", { deleting: true }), false],
  ["with annotations", cached("l", {}, { annotations: { "svctokens.dev/x": "y" } }), false],
  [
    "mid-rotation",
    cached("m", {
      status: {
        ...STATUS,
        previousTokenId: "fedcba9876543210",
        previousValueExpiresAt: STATUS.expiresAt,
      },
    }),
    false,
  ],
  [
    "with an offset time",
    cached("n", { status: { ...STATUS, createdAt: "2025-05-01T02:00:00+02:00" } }),
    false,
  ],
  [
    "with microseconds",
    cached("o", { status: { ...STATUS, expiresAt: "2025-05-31T00:00:00.123456Z" } }),
    false,
  ],
];

describe("packColumns", () => {
  it.each(TOKENS)("a token %s: %s", (_what, token, fits) => {
    expect(packColumns(token) !== undefined).toBe(fits);
  });
});

describe("isoText", () => {
  it("writes what toISOString writes, at the calendar's edges and across ±2,000 years", () => {
    const edges = [0, -1, 1, -86_400_000, 951_782_400_000, 951_868_800_000, 1_709_251_199_999];
    const years = [
      -62_167_219_200_000, -62_167_219_200_001, 253_402_300_799_999, 253_402_300_800_000,
    ];
    let seed = 7;
    const spread = Array.from({ length: 20_000 }, () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return Math.round((seed / 2_147_483_648 - 0.5) * 126e12);
    });
    for (const ms of [...edges, ...years, ...spread]) {
      expect(isoText(ms)).toBe(new Date(ms).toISOString());
    }
  });
});

describe("ServiceTokenStore", () => {
  it.each(TOKENS)("gives back a token %s as it was stored", (_what, token) => {
    const store = new ServiceTokenStore(new StringPool());
    const stored = structuredClone(token);
    store.add(stored, undefined);
    const read = store.get(token.metadata.namespace, token.metadata.name);
    expect(read).toEqual(token);
    expect(JSON.stringify(read)).toBe(JSON.stringify(token));
    expect(store.get(token.metadata.namespace, token.metadata.name)).toBe(read);
    expect(store.peek(token.metadata.namespace, token.metadata.name)).toEqual(token);
    expect(store.ofUser(token.spec.serviceUser)).toEqual([token]);
  });

  it("keeps the last tokens read built, and builds an aged-out one again, equal", () => {
    const store = new ServiceTokenStore(new StringPool(), 2);
    for (const name of ["a", "b", "c"]) store.add(cached(name, { status: STATUS }), undefined);
    const a = store.get("prod", "a");
    const b = store.get("prod", "b");
    expect(store.get("prod", "a")).toBe(a);
    store.get("prod", "c");
    const again = store.get("prod", "a");
    expect(again).not.toBe(a);
    expect(again).toEqual(a);
    expect(store.get("prod", "b")).not.toBe(b);
  });

  it("forgets a removed token and reuses its slot for another, with nothing of the first", () => {
    const store = new ServiceTokenStore(new StringPool());
    store.add(cached("old", { user: "u1", expiresInDays: 7, status: STATUS }), undefined);
    store.get("prod", "old");
    store.remove("prod", "old");
    store.remove("prod", "never-held");
    expect(store.get("prod", "old")).toBeUndefined();
    expect(store.ofUser("u1")).toEqual([]);
    const next = cached("new", { user: "u2", namespace: "dev" });
    store.add(structuredClone(next), undefined);
    expect(store.get("dev", "new")).toEqual(next);
    expect(store.size).toBe(1);
    expect([...store.held()]).toEqual([{ metadata: { namespace: "dev", name: "new" } }]);
  });

  it("finds client-generated tokens by hash, across namespaces, until removed", () => {
    const store = new ServiceTokenStore(new StringPool());
    const hash = `sha256:${"b".repeat(64)}`;
    store.add(cached("x", { tokenHash: hash }), undefined);
    store.add(cached("y", { tokenHash: hash, namespace: "dev" }), undefined);
    store.add(cached("z"), undefined);
    expect(
      store
        .withSpecHash(hash)
        .map((t) => t.metadata.name)
        .sort(),
    ).toEqual(["x", "y"]);
    store.remove("prod", "x");
    expect(store.withSpecHash(hash).map((t) => t.metadata.name)).toEqual(["y"]);
  });

  it("grows past its first columns and keeps every token", () => {
    const store = new ServiceTokenStore(new StringPool(), 10);
    const count = 600;
    for (let i = 0; i < count; i++) store.add(cached(`t-${i}`, { status: STATUS }), undefined);
    for (const i of [0, 255, 256, 599]) {
      expect(store.get("prod", `t-${i}`)).toEqual(cached(`t-${i}`, { status: STATUS }));
    }
    expect(store.size).toBe(count);
  });
});
