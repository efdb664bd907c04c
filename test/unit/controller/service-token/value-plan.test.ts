// The value decision tree: delivery Secret missing / foreign / ours (pinned or not) × hash record
// missing / foreign / ours × expired, for generated and client-generated tokens.
import { describe, expect, it } from "vitest";
import {
  namesToRead,
  planTokenValue,
  type DeliveryAtName,
  type RecordAtName,
  type ValuePlan,
  type ValuePlanInput,
} from "../../../../src/controller/service-token/value-plan.ts";
import { generateToken, hashToken, tokenIdFromHash } from "../../../../src/tokens/index.ts";

const VALUE = generateToken();
const HASH = hashToken(VALUE);
const PIN = tokenIdFromHash(HASH);
const OTHER_HASH = hashToken(generateToken());
const OTHER_PIN = tokenIdFromHash(OTHER_HASH);

const missing = { kind: "missing" } as const;
const foreign = { kind: "foreign" } as const;
const delivered = (value: string | undefined): DeliveryAtName => ({ kind: "ours", value });
const recorded = (hash = HASH): RecordAtName => ({ kind: "ours", hash });

interface Case {
  name: string;
  input: Partial<ValuePlanInput>;
  plan: ValuePlan;
}
const base: ValuePlanInput = {
  clientHash: undefined,
  delivery: missing,
  record: missing,
  pinnedTokenId: undefined,
  expired: false,
};

const cases: Case[] = [
  // Nothing generated yet.
  { name: "nothing anywhere → first value", input: {}, plan: { kind: "generate", why: "first" } },
  {
    name: "a foreign Secret at the delivery name → conflict",
    input: { delivery: foreign },
    plan: { kind: "conflict", at: "delivery" },
  },
  {
    name: "a foreign Secret at the record name → conflict",
    input: { record: foreign },
    plan: { kind: "conflict", at: "record" },
  },
  {
    name: "a delivery Secret with all our marks before any pin (planted) → conflict",
    input: { delivery: delivered(VALUE) },
    plan: { kind: "conflict", at: "delivery" },
  },
  {
    name: "a record whose value was never delivered (crash after the record) → a fresh first value",
    input: { record: recorded() },
    plan: { kind: "generate", why: "first" },
  },
  {
    name: "crash after record and delivery, before the status: they agree → keep",
    input: { delivery: delivered(VALUE), record: recorded() },
    plan: { kind: "keep", hash: HASH },
  },
  {
    name: "a delivery Secret with our marks, no record vouching for it → conflict",
    input: { delivery: delivered(generateToken()), record: recorded() },
    plan: { kind: "conflict", at: "delivery" },
  },
  // Pinned and delivered.
  {
    name: "pinned value delivered, no record yet → keep it",
    input: { delivery: delivered(VALUE), pinnedTokenId: PIN },
    plan: { kind: "keep", hash: HASH },
  },
  {
    name: "pinned value delivered and recorded → keep it",
    input: { delivery: delivered(VALUE), pinnedTokenId: PIN, record: recorded() },
    plan: { kind: "keep", hash: HASH },
  },
  {
    name: "delivered value is not the pinned one → replace it",
    input: { delivery: delivered(VALUE), pinnedTokenId: OTHER_PIN, record: recorded(OTHER_HASH) },
    plan: { kind: "generate", why: "delivery-not-pinned" },
  },
  {
    name: "delivered value damaged → replace it",
    input: { delivery: delivered("not-a-token"), pinnedTokenId: PIN, record: recorded() },
    plan: { kind: "generate", why: "delivery-not-pinned" },
  },
  {
    name: "delivered Secret without a token key → replace it",
    input: { delivery: delivered(undefined), pinnedTokenId: PIN, record: recorded() },
    plan: { kind: "generate", why: "delivery-not-pinned" },
  },
  {
    name: "older version's token: no pin, record holds the delivered value → keep it",
    input: { delivery: delivered(VALUE), record: recorded() },
    plan: { kind: "keep", hash: HASH },
  },
  {
    name: "no pin, record holds another value than the delivery Secret → conflict",
    input: { delivery: delivered(VALUE), record: recorded(OTHER_HASH) },
    plan: { kind: "conflict", at: "delivery" },
  },
  {
    name: "record foreign even though the value is pinned and delivered → conflict",
    input: { delivery: delivered(VALUE), pinnedTokenId: PIN, record: foreign },
    plan: { kind: "conflict", at: "record" },
  },
  // Gone.
  {
    name: "pinned, delivery Secret gone → regenerate",
    input: { pinnedTokenId: PIN, record: recorded() },
    plan: { kind: "generate", why: "delivery-gone" },
  },
  {
    name: "pinned but never delivered (crash after the pin) → regenerate",
    input: { pinnedTokenId: PIN },
    plan: { kind: "generate", why: "delivery-gone" },
  },
  // Expired.
  {
    name: "expired, delivery Secret gone → nothing comes back",
    input: { pinnedTokenId: PIN, record: recorded(), expired: true },
    plan: { kind: "expired" },
  },
  {
    name: "expired, delivered value not pinned → nothing comes back",
    input: { delivery: delivered(VALUE), pinnedTokenId: OTHER_PIN, expired: true },
    plan: { kind: "expired" },
  },
  {
    name: "expired, pinned value delivered → keep it (it stays refused by expiry)",
    input: { delivery: delivered(VALUE), pinnedTokenId: PIN, record: recorded(), expired: true },
    plan: { kind: "keep", hash: HASH },
  },
  // Client-generated tokens.
  {
    name: "client hash, no record → keep the client's hash",
    input: { clientHash: HASH },
    plan: { kind: "keep", hash: HASH },
  },
  {
    name: "client hash, foreign record → conflict",
    input: { clientHash: HASH, record: foreign },
    plan: { kind: "conflict", at: "record" },
  },
  {
    name: "client hash, our-looking record of another hash before any pin → conflict",
    input: { clientHash: HASH, record: recorded(OTHER_HASH) },
    plan: { kind: "conflict", at: "record" },
  },
  {
    name: "client hash, pinned, record of an older hash → keep the client's (record rewritten)",
    input: { clientHash: HASH, record: recorded(OTHER_HASH), pinnedTokenId: PIN },
    plan: { kind: "keep", hash: HASH },
  },
  {
    name: "client hash ignores whatever sits at a delivery name",
    input: { clientHash: HASH, delivery: foreign },
    plan: { kind: "keep", hash: HASH },
  },
];

describe("planTokenValue", () => {
  it.each(cases)("$name", ({ input, plan }) => {
    expect(planTokenValue({ ...base, ...input })).toEqual(plan);
  });
});

interface ReadCase {
  name: string;
  input: Partial<ValuePlanInput>;
  conflict?: boolean;
  reads: { delivery: boolean; record: boolean };
}

const readCases: ReadCase[] = [
  {
    name: "first value into two free names: no reads (the creates find what is there)",
    input: {},
    reads: { delivery: false, record: false },
  },
  {
    name: "first value while a SecretConflict is reported: read both free names first",
    input: {},
    conflict: true,
    reads: { delivery: true, record: true },
  },
  {
    name: "first value over an undelivered record: read the delivery name first",
    input: { record: recorded() },
    reads: { delivery: true, record: false },
  },
  {
    name: "pinned, delivery gone: read both free names before the pin",
    input: { pinnedTokenId: PIN },
    reads: { delivery: true, record: true },
  },
  {
    name: "pinned value delivered, no record: read the record name",
    input: { pinnedTokenId: PIN, delivery: delivered(VALUE) },
    reads: { delivery: false, record: true },
  },
  {
    name: "pinned, delivered and recorded: nothing to read",
    input: { pinnedTokenId: PIN, delivery: delivered(VALUE), record: recorded() },
    reads: { delivery: false, record: false },
  },
  {
    name: "client hash: only the record name, never a delivery name",
    input: { clientHash: HASH },
    reads: { delivery: false, record: true },
  },
  {
    name: "conflict: nothing to read",
    input: { delivery: delivered(VALUE) },
    reads: { delivery: false, record: false },
  },
  {
    name: "expired: nothing to read",
    input: { pinnedTokenId: PIN, record: recorded(), expired: true },
    reads: { delivery: false, record: false },
  },
];

describe("namesToRead", () => {
  it.each(readCases)("$name", ({ input, conflict, reads }) => {
    const full = { ...base, ...input };
    expect(namesToRead(planTokenValue(full), full, conflict)).toEqual(reads);
  });
});
