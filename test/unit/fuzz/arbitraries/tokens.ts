// Token-value arbitraries: the real values the service knows, and everything that looks like
// one without being one (good prefix and bad checksum, well-formed but unknown, decorated,
// truncated, homoglyphs), plus plain hostile strings and wrong JSON types.
import { createHash } from "node:crypto";
import fc from "fast-check";
import { BASE62_ALPHABET, encodeBase62 } from "../../../../src/tokens/base62.ts";
import { tokenChecksum } from "../../../../src/tokens/checksum.ts";
import { TOKEN_LENGTH, TOKEN_PREFIX } from "../../../../src/tokens/index.ts";

const base62Char = fc.constantFrom(...BASE62_ALPHABET);
const CHECKED_LENGTH = TOKEN_LENGTH - 6;

/** A string of `length` to `length + spread` characters built cheaply (no per-char shrink). */
export function hugeString(minLength: number, maxLength: number): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.string({ minLength: 1, maxLength: 8, unit: "binary" }),
      fc.integer({ min: minLength, max: maxLength }),
    )
    .map(([unit, length]) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length));
}

/** Strings that have broken parsers elsewhere: control characters, surrogates, RTL marks. */
export const unicodeString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: "binary", maxLength: 64 }),
  fc.string({ unit: "grapheme", maxLength: 32 }),
  fc.constantFrom(
    "\u0000",
    "\ud800",
    "\udfff",
    "\u202e",
    "\ufeff",
    "\u200b",
    "%00",
    "../../",
    "\\",
  ),
);

/** `svct_` + 49 base62 characters: the right shape, a checksum that (almost surely) fails. */
const badChecksum = fc
  .string({
    unit: base62Char,
    minLength: TOKEN_LENGTH - TOKEN_PREFIX.length,
    maxLength: TOKEN_LENGTH - TOKEN_PREFIX.length,
  })
  .map((rest) => TOKEN_PREFIX + rest);

/** Well-formed (checksum correct) values that no record holds. */
const wellFormedUnknown = fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }).map((body) => {
  const checked = TOKEN_PREFIX + encodeBase62(body, CHECKED_LENGTH - TOKEN_PREFIX.length);
  return checked + tokenChecksum(checked);
});

/** Variations of the known values: each is a different string, or the value itself. */
function lookAlikes(known: readonly string[]): fc.Arbitrary<string> {
  const real = fc.constantFrom(...known);
  return fc.oneof(
    // One character changed (prefix kept): the checksum catches it.
    fc.tuple(real, fc.nat(), base62Char).map(([t, i, c]) => {
      const at = TOKEN_PREFIX.length + (i % (t.length - TOKEN_PREFIX.length));
      return t.slice(0, at) + c + t.slice(at + 1);
    }),
    fc.tuple(real, fc.nat({ max: TOKEN_LENGTH })).map(([t, n]) => t.slice(0, n)),
    fc
      .tuple(
        real,
        fc.constantFrom(" ", "\n", "\t", "\u0000", "Bearer ", "\u200b", "\ufeff", '"'),
        fc.boolean(),
      )
      .map(([t, extra, before]) => (before ? extra + t : t + extra)),
    real.map((t) => t.toUpperCase()),
    real.map((t) => t.replace(/^svct_/, "SVCT_")),
    // Cyrillic "ѕ" for the "s" of the prefix.
    real.map((t) => t.replace(/^s/, "\u0455")),
    real.map((t) => t + t),
    real.map((t) => `${t},${t}`),
  );
}

/** Any string that might be presented as a token, weighted towards the interesting ones. */
export function presentedToken(known: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...known) },
    { weight: 4, arbitrary: lookAlikes(known) },
    { weight: 2, arbitrary: badChecksum },
    { weight: 2, arbitrary: wellFormedUnknown },
    { weight: 1, arbitrary: fc.constantFrom("", TOKEN_PREFIX, "svct", "null", "undefined") },
    { weight: 2, arbitrary: unicodeString },
    { weight: 1, arbitrary: hugeString(4000, 4200) },
  );
}

/** A value of the wrong JSON type (or a hostile string) for a field that wants something else. */
export const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1e308, "", [], {}),
  fc.integer(),
  fc.double(),
  unicodeString,
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
  // An own "__proto__" key, as JSON.parse makes it: must not pollute anything.
  fc.constant(JSON.parse('{"__proto__":{"admin":true,"authenticated":true}}') as unknown),
);

/** Mostly `valid`, sometimes a wrong type. */
export function mostly<T>(
  valid: fc.Arbitrary<T>,
  wrong: fc.Arbitrary<unknown> = wrongValue,
): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 6, arbitrary: valid }, { weight: 1, arbitrary: wrong });
}

/**
 * A well-formed token value derived from `label`, so a replayed seed meets the same values
 * (the generated look-alikes depend on them).
 */
export function fixedToken(label: string): string {
  const body = BigInt(`0x${createHash("sha256").update(label).digest("hex")}`);
  const checked = TOKEN_PREFIX + encodeBase62(body, CHECKED_LENGTH - TOKEN_PREFIX.length);
  return checked + tokenChecksum(checked);
}
