import { describe, expect, it } from "vitest";
import { encodeBase62 } from "../../../src/tokens/base62.ts";
import { findTokenCandidates } from "../../../src/tokens/candidates.ts";
import { tokenChecksum } from "../../../src/tokens/checksum.ts";
import { hashToken, tokenIdFromHash } from "../../../src/tokens/hash.ts";
import { TOKEN_PREFIX, generateToken, tokenDefect } from "../../../src/tokens/token.ts";

const token = generateToken();
const tokenId = tokenIdFromHash(hashToken(token));
const checked = token.slice(0, -6);
/** The same token with its checksum's last digit changed: the shape a scanner matches. */
const wrongChecksum = checked + token.slice(-6, -1) + (token.endsWith("0") ? "1" : "0");
const tooLarge = TOKEN_PREFIX + encodeBase62(1n << 256n, 43);

describe("tokenDefect", () => {
  it.each([
    ["a generated token", token, undefined],
    ["a wrong checksum", wrongChecksum, "checksum"],
    [
      "a body over 256 bits, checksum matching",
      tooLarge + tokenChecksum(tooLarge),
      "body-too-large",
    ],
    ["one character short", token.slice(0, -1), "shape"],
    ["one character long", `${token}0`, "shape"],
    ["another prefix", `svcx_${token.slice(5)}`, "shape"],
    ["a non-base62 character", `${checked.slice(0, 20)}-${token.slice(21)}`, "shape"],
  ])("%s → %s", (_what, value, defect) => {
    expect(tokenDefect(value)).toBe(defect);
  });
});

describe("findTokenCandidates", () => {
  it("reports each svct_ run with its line and column, a token id for real tokens, never a value", () => {
    const text = [
      `kubectl --token ${token} get pods`,
      `SVCTOKENS_TOKEN=${wrongChecksum}`,
      `{"a": "${token}0", "b": "svct_"}`,
      "no token here",
      `  token: ${token}`,
    ].join("\n");
    const candidates = findTokenCandidates(text);
    expect(candidates).toEqual([
      { line: 1, column: 17, tokenId },
      { line: 2, column: 17, defect: "checksum" },
      { line: 3, column: 8, defect: "shape" },
      { line: 3, column: 72, defect: "shape" },
      { line: 5, column: 10, tokenId },
    ]);
    expect(JSON.stringify(candidates)).not.toContain(token.slice(5, 20));
  });

  it("finds nothing in a text without the prefix", () => {
    expect(findTokenCandidates("ghp_abc\nsvct\nSVCT_x")).toEqual([]);
  });
});
