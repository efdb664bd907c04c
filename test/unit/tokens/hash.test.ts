import { describe, expect, it } from "vitest";
import {
  TOKEN_HASH_PATTERN,
  hashToken,
  isTokenHash,
  parseTokenHash,
  tokenIdFromHash,
} from "../../../src/tokens/hash.ts";
import { generateToken } from "../../../src/tokens/token.ts";

// SHA-256("abc"), the FIPS 180-2 example.
const ABC_HASH = "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

describe("hashToken", () => {
  it("is sha256: and the lowercase hex SHA-256 of the whole value", () => {
    expect(hashToken("abc")).toBe(ABC_HASH);
    const token = generateToken();
    expect(hashToken(token)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(isTokenHash(hashToken(token))).toBe(true);
  });

  it("is deterministic and differs between tokens", () => {
    const [a, b] = [generateToken(), generateToken()];
    expect(hashToken(a)).toBe(hashToken(a));
    expect(hashToken(a)).not.toBe(hashToken(b));
  });
});

describe("tokenIdFromHash", () => {
  it("is the first 16 hex digits of the hash", () => {
    expect(tokenIdFromHash(parseTokenHash(ABC_HASH))).toBe("ba7816bf8f01cfea");
    expect(tokenIdFromHash(hashToken(generateToken()))).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe("parseTokenHash", () => {
  it("returns a valid hash unchanged", () => {
    expect(parseTokenHash(ABC_HASH)).toBe(ABC_HASH);
  });

  it.each([
    ["uppercase hex", ABC_HASH.toUpperCase().replace("SHA256", "sha256")],
    ["a missing prefix", ABC_HASH.slice("sha256:".length)],
    ["another algorithm", ABC_HASH.replace("sha256", "sha512")],
    ["too few digits", ABC_HASH.slice(0, -1)],
    ["too many digits", `${ABC_HASH}0`],
    ["a non-hex digit", `${ABC_HASH.slice(0, -1)}g`],
    ["surrounding whitespace", ` ${ABC_HASH}\n`],
    ["a token value", generateToken()],
    ["nothing", ""],
  ])("rejects %s", (_case, text) => {
    expect(isTokenHash(text)).toBe(false);
    expect(() => parseTokenHash(text)).toThrow(/invalid token hash/);
  });

  it("agrees with the exported pattern", () => {
    expect(TOKEN_HASH_PATTERN.test(ABC_HASH)).toBe(true);
    expect(TOKEN_HASH_PATTERN.test(ABC_HASH.slice(1))).toBe(false);
  });
});
