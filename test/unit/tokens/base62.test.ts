import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  decodeBase62Number,
  BASE62_ALPHABET,
  BASE62_CHARACTER_CLASS,
  decodeBase62,
  encodeBase62,
  encodeBase62Number,
} from "../../../src/tokens/base62.ts";

describe("base62", () => {
  it("uses 0-9A-Za-z in ascending ASCII order, matching the character class", () => {
    expect(BASE62_ALPHABET).toHaveLength(62);
    expect([...BASE62_ALPHABET].sort().join("")).toBe(BASE62_ALPHABET);
    expect(new RegExp(`^${BASE62_CHARACTER_CLASS}{62}$`).test(BASE62_ALPHABET)).toBe(true);
    expect(new RegExp(BASE62_CHARACTER_CLASS).test("_")).toBe(false);
  });

  it.each([
    [0n, 3, "000"],
    [61n, 2, "0z"],
    [62n, 2, "10"],
    [3843n, 2, "zz"],
    [0xcbf43926n, 6, "3jZRME"],
  ])("encodes %s at width %s as %s", (value, width, text) => {
    expect(encodeBase62(value, width)).toBe(text);
    expect(decodeBase62(text)).toBe(value);
  });

  it("round-trips random 256-bit values at a fixed width of 43", () => {
    for (let i = 0; i < 1000; i++) {
      const value = BigInt(`0x${randomBytes(32).toString("hex")}`);
      const text = encodeBase62(value, 43);
      expect(text).toHaveLength(43);
      expect(decodeBase62(text)).toBe(value);
    }
  });

  it("needs exactly 43 digits for 256 bits and 6 for 32 bits", () => {
    expect(encodeBase62((1n << 256n) - 1n, 43)).toHaveLength(43);
    expect(() => encodeBase62((1n << 256n) - 1n, 42)).toThrow(RangeError);
    expect(encodeBase62((1n << 32n) - 1n, 6)).toHaveLength(6);
    expect(() => encodeBase62((1n << 32n) - 1n, 5)).toThrow(RangeError);
  });

  it("orders equal-width encodings like the numbers they encode", () => {
    const values = Array.from({ length: 200 }, () => BigInt(`0x${randomBytes(8).toString("hex")}`));
    const byNumber = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const byText = values.map((value) => encodeBase62(value, 11)).sort();
    expect(byText).toEqual(byNumber.map((value) => encodeBase62(value, 11)));
  });

  it("rejects negative values, empty input and non-base62 characters", () => {
    expect(() => encodeBase62(-1n, 5)).toThrow(RangeError);
    expect(() => decodeBase62("")).toThrow(RangeError);
    for (const bad of ["ab-c", "a_b", "a b", "é", "+/="]) {
      expect(() => decodeBase62(bad)).toThrow(RangeError);
    }
  });

  it("encodes numbers as it encodes the same BigInt (CRC32s and their edges)", () => {
    const values = [0, 1, 61, 62, 3843, 0xcbf43926, 2 ** 32 - 1];
    for (let i = 0; i < 1000; i++) values.push(randomBytes(4).readUInt32BE());
    for (const value of values) {
      expect(encodeBase62Number(value, 6)).toBe(encodeBase62(BigInt(value), 6));
    }
    expect(encodeBase62Number(Number.MAX_SAFE_INTEGER, 9)).toBe(
      encodeBase62(BigInt(Number.MAX_SAFE_INTEGER), 9),
    );
    expect(() => encodeBase62Number(2 ** 32 - 1, 5)).toThrow(RangeError);
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 53]) {
      expect(() => encodeBase62Number(bad, 10)).toThrow(RangeError);
    }
  });
});

describe("decodeBase62Number", () => {
  it("reads what encodeBase62Number wrote, as decodeBase62 does", () => {
    for (const value of [0, 1, 61, 62, 3_844, 2 ** 32 - 1, 62 ** 8 - 1]) {
      const digits = encodeBase62Number(value, 8);
      expect(decodeBase62Number(digits)).toBe(value);
      expect(BigInt(decodeBase62Number(digits))).toBe(decodeBase62(digits));
    }
  });

  it("reads a range of a longer text without slicing it", () => {
    expect(decodeBase62Number("xx0000zz", 2)).toBe(61 * 62 + 61);
    expect(decodeBase62Number("xx10yy", 2, 4)).toBe(62);
  });

  it("gives -1 for an empty range or a character outside the alphabet", () => {
    for (const text of ["", "12-4", "12 4", "éa", "_", "\u0100"]) {
      expect(decodeBase62Number(text)).toBe(-1);
    }
    expect(decodeBase62Number("abc", 3)).toBe(-1);
  });

  it("refuses more digits than a safe integer holds", () => {
    expect(() => decodeBase62Number("123456789")).toThrow(RangeError);
  });
});
