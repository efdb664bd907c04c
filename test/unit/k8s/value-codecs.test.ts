import { describe, expect, it } from "vitest";
import type { ValueCodec } from "../../../src/k8s/packed-object.ts";
import { BASE64_BYTES, DECIMAL_STRING } from "../../../src/k8s/value-codecs.ts";

const kept = (codec: ValueCodec, value: string): unknown => codec.encode(value);

describe("value codecs", () => {
  it.each<[ValueCodec, string, unknown]>([
    [DECIMAL_STRING, "0", 0],
    [DECIMAL_STRING, "1000020", 1_000_020],
    [DECIMAL_STRING, "2147483648", 2_147_483_648],
    [DECIMAL_STRING, "999999999999999", 999_999_999_999_999],
    [BASE64_BYTES, "c3ZjdF8=", "svct_"],
    [BASE64_BYTES, "", ""],
    [BASE64_BYTES, "/+8A", "\u00ff\u00ef\u0000"],
  ])("%o keeps %s as %o and gives it back", (codec, value, encoded) => {
    expect(kept(codec, value)).toBe(encoded);
    expect(codec.decode(codec.encode(value))).toBe(value);
  });

  it.each<[ValueCodec, string]>([
    [DECIMAL_STRING, ""],
    [DECIMAL_STRING, "007"],
    [DECIMAL_STRING, "-1"],
    [DECIMAL_STRING, "+1"],
    [DECIMAL_STRING, "1e3"],
    [DECIMAL_STRING, "1.0"],
    [DECIMAL_STRING, " 1"],
    [DECIMAL_STRING, "1000000000000000"],
    [BASE64_BYTES, "YWI"],
    [BASE64_BYTES, "YW=J"],
    [BASE64_BYTES, "c3ZjdF8-"],
    [BASE64_BYTES, "c3Zj dF8="],
    [BASE64_BYTES, "not base64!"],
  ])("%o keeps %s as the string (it could not give it back)", (codec, value) => {
    expect(codec.encode(value)).toBeUndefined();
  });
});
