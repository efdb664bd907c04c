import { describe, expect, it } from "vitest";
import { BASE62_ALPHABET, encodeBase62 } from "../../../src/tokens/base62.ts";
import {
  asciiChecksumMatches,
  checksumMatches,
  tokenChecksum,
} from "../../../src/tokens/checksum.ts";
import {
  TOKEN_LENGTH,
  TOKEN_PATTERN,
  TOKEN_PREFIX,
  generateToken,
  isWellFormedToken,
} from "../../../src/tokens/token.ts";

/** Builds a token-like value with a correct checksum, so only the other checks can fail. */
function withChecksum(prefixAndBody: string): string {
  return prefixAndBody + tokenChecksum(prefixAndBody);
}

const CHECKED_LENGTH = TOKEN_LENGTH - 6;
const sample = generateToken();

describe("tokenChecksum", () => {
  it("is CRC-32/ISO-HDLC: the standard check value of '123456789' is 0xCBF43926", () => {
    expect(tokenChecksum("123456789")).toBe(encodeBase62(0xcbf43926n, 6));
    expect(tokenChecksum("123456789")).toBe("3jZRME");
  });

  it("checksumMatches agrees with comparing tokenChecksum's digits", () => {
    const text = sample.slice(0, CHECKED_LENGTH);
    const right = tokenChecksum(text);
    const cases = [
      right,
      "000000",
      "zzzzzz",
      right.slice(0, 5),
      `${right}0`,
      `${right.slice(0, 5)}-`,
      `${right.slice(0, 5)}${right[5] === "a" ? "b" : "a"}`,
      "",
    ];
    for (const presented of cases) {
      expect(checksumMatches(text, `${text}${presented}`, text.length)).toBe(presented === right);
    }
    expect(checksumMatches("123456789", "3jZRME", 0)).toBe(true);
    // Many CRCs (every digit in every place): the right digits match, any other digit not.
    for (let n = 0; n < 300; n++) {
      const other = generateToken().slice(0, CHECKED_LENGTH);
      const digits = tokenChecksum(other);
      expect(checksumMatches(other, other + digits, CHECKED_LENGTH)).toBe(true);
      const place = n % 6;
      const swapped = BASE62_ALPHABET[(BASE62_ALPHABET.indexOf(digits[place] ?? "0") + 1 + n) % 62];
      const wrong = digits.slice(0, place) + swapped + digits.slice(place + 1);
      expect(checksumMatches(other, other + wrong, CHECKED_LENGTH)).toBe(wrong === digits);
    }
  });

  it("asciiChecksumMatches agrees with checksumMatches (zlib's CRC) on ASCII and beyond", () => {
    const texts = ["", "123456789", sample.slice(0, CHECKED_LENGTH), "é", "a\u00ffb", "x\u{1f600}"];
    for (let n = 0; n < 500; n++) {
      texts.push(
        Array.from({ length: n % 70 }, (_, k) =>
          String.fromCharCode(32 + ((n * 31 + k * 7) % 95)),
        ).join(""),
      );
    }
    for (const text of texts) {
      for (const digits of [tokenChecksum(text), "000000", `${tokenChecksum(text)}0`]) {
        const value = text + digits;
        expect(asciiChecksumMatches(value, text.length), JSON.stringify(value)).toBe(
          checksumMatches(text, value, text.length),
        );
      }
    }
  });

  it("is always 6 base62 digits", () => {
    expect(tokenChecksum("")).toBe("000000");
    expect(tokenChecksum(sample.slice(0, CHECKED_LENGTH))).toMatch(/^[0-9A-Za-z]{6}$/);
  });
});

describe("generateToken", () => {
  it("makes 10k distinct, well-formed tokens of one fixed length", () => {
    const tokens = Array.from({ length: 10_000 }, () => generateToken());
    expect(new Set(tokens).size).toBe(10_000);
    expect(new Set(tokens.map((token) => token.length))).toEqual(new Set([54]));
    expect(tokens.filter((token) => !token.startsWith("svct_"))).toEqual([]);
    expect(tokens.filter((token) => !isWellFormedToken(token))).toEqual([]);
    // About 1 body in 61 is below 62^42 and needs a leading "0": padding is exercised.
    expect(tokens.some((token) => token.startsWith(`${TOKEN_PREFIX}0`))).toBe(true);
  });

  it("has the documented length constant", () => {
    expect(TOKEN_LENGTH).toBe(54);
  });
});

describe("isWellFormedToken", () => {
  it("agrees with the whole-token pattern, the body bound and zlib's checksum", () => {
    const whole = new RegExp(`^${TOKEN_PATTERN.source}$`);
    const largest = encodeBase62((1n << 256n) - 1n, 43);
    const reference = (value: string): boolean =>
      whole.test(value) &&
      value.slice(TOKEN_PREFIX.length, CHECKED_LENGTH) <= largest &&
      checksumMatches(value.slice(0, CHECKED_LENGTH), value, CHECKED_LENGTH);
    const values = [sample, withChecksum(TOKEN_PREFIX + largest), ""];
    for (let n = 0; n < 2000; n++) {
      const token = generateToken();
      const at = n % token.length;
      const other = `${BASE62_ALPHABET}_-. é\n`[n % 69] ?? "0";
      values.push(token, token.slice(0, at) + other + token.slice(at + 1));
      values.push(withChecksum(token.slice(0, CHECKED_LENGTH - 1) + other));
    }
    for (const value of values) expect(isWellFormedToken(value)).toBe(reference(value));
  });

  it("rejects every single-character substitution, at every position", () => {
    for (let position = 0; position < sample.length; position++) {
      for (const replacement of `${BASE62_ALPHABET}_-. `) {
        if (replacement === sample[position]) continue;
        const mutated = sample.slice(0, position) + replacement + sample.slice(position + 1);
        expect(isWellFormedToken(mutated), `position ${position} → ${replacement}`).toBe(false);
      }
    }
  });

  it("catches body and prefix substitutions by checksum alone", () => {
    for (let position = 0; position < CHECKED_LENGTH; position++) {
      for (const replacement of BASE62_ALPHABET) {
        if (replacement === sample[position]) continue;
        const mutated = sample.slice(0, position) + replacement + sample.slice(position + 1);
        expect(tokenChecksum(mutated.slice(0, CHECKED_LENGTH))).not.toBe(
          mutated.slice(CHECKED_LENGTH),
        );
      }
    }
  });

  it("rejects every swap of two adjacent, different characters", () => {
    for (let position = 0; position + 1 < sample.length; position++) {
      const [a, b] = [sample[position], sample[position + 1]];
      if (a === b || a === undefined || b === undefined) continue;
      const swapped = sample.slice(0, position) + b + a + sample.slice(position + 2);
      expect(isWellFormedToken(swapped)).toBe(false);
    }
  });

  it("rejects a wrong prefix even when the checksum matches it", () => {
    const body = sample.slice(TOKEN_PREFIX.length, CHECKED_LENGTH);
    for (const prefix of ["svcT_", "SVCT_", "svct-", "svcx_", "ghp_x"]) {
      expect(isWellFormedToken(withChecksum(prefix + body))).toBe(false);
    }
    expect(isWellFormedToken(sample.slice(TOKEN_PREFIX.length))).toBe(false);
  });

  it("rejects wrong lengths even when the checksum matches", () => {
    const checked = sample.slice(0, CHECKED_LENGTH);
    expect(isWellFormedToken(withChecksum(checked.slice(0, -1)))).toBe(false);
    expect(isWellFormedToken(withChecksum(`${checked}0`))).toBe(false);
    expect(isWellFormedToken(sample.slice(0, -1))).toBe(false);
    expect(isWellFormedToken(`${sample}0`)).toBe(false);
    expect(isWellFormedToken(` ${sample}`)).toBe(false);
    expect(isWellFormedToken(`${sample}\n`)).toBe(false);
    expect(isWellFormedToken("")).toBe(false);
  });

  it("rejects non-base62 characters even when the checksum matches", () => {
    const checked = sample.slice(0, CHECKED_LENGTH);
    for (const bad of ["-", "_", "+", "/", "=", "é", "\0"]) {
      const mutated = withChecksum(checked.slice(0, 20) + bad + checked.slice(21));
      expect(isWellFormedToken(mutated)).toBe(false);
    }
  });

  it("accepts the largest 256-bit body and rejects one bit more", () => {
    const largest = encodeBase62((1n << 256n) - 1n, 43);
    expect(isWellFormedToken(withChecksum(TOKEN_PREFIX + largest))).toBe(true);
    const tooLarge = encodeBase62(1n << 256n, 43);
    expect(isWellFormedToken(withChecksum(TOKEN_PREFIX + tooLarge))).toBe(false);
    expect(isWellFormedToken(withChecksum(TOKEN_PREFIX + "z".repeat(43)))).toBe(false);
  });

  it("accepts the smallest body, all zeros", () => {
    expect(isWellFormedToken(withChecksum(TOKEN_PREFIX + "0".repeat(43)))).toBe(true);
  });
});

describe("TOKEN_PATTERN", () => {
  it.each([
    ["a bearer header", `Authorization: Bearer ${sample}`],
    ["JSON", JSON.stringify({ token: sample })],
    ["a query string", `https://example.test/hook?token=${sample}&x=1`],
    ["other characters glued on", `xx${sample}yy`],
  ])("finds a token in %s", (_context, text) => {
    expect(text.match(TOKEN_PATTERN)?.[0]).toBe(sample);
  });

  it("finds every token with a global copy", () => {
    const other = generateToken();
    const text = `first=${sample} second=${other}`;
    const found = [...text.matchAll(new RegExp(TOKEN_PATTERN, "g"))].map((match) => match[0]);
    expect(found).toEqual([sample, other]);
    expect(text.replaceAll(new RegExp(TOKEN_PATTERN, "g"), "[redacted]")).toBe(
      "first=[redacted] second=[redacted]",
    );
  });

  it("is stateless and ignores values too short to be tokens", () => {
    expect(TOKEN_PATTERN.global).toBe(false);
    expect(TOKEN_PATTERN.test(sample)).toBe(true);
    expect(TOKEN_PATTERN.test(sample)).toBe(true);
    expect(TOKEN_PATTERN.test(sample.slice(0, -1))).toBe(false);
    expect(TOKEN_PATTERN.test(sample.replace("svct_", "svct-"))).toBe(false);
  });
});
