// Fuzzing the object parsers (src/api/parse.ts) in process: whatever the API server or a
// request hands them, they return a typed object or throw an InvalidObjectError with a short
// message that names no token value; and parsing what they return changes nothing.
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { InvalidObjectError, parseServiceToken, parseServiceUser } from "../../../src/api/index.ts";
import { TOKEN_PATTERN } from "../../../src/tokens/index.ts";
import { serviceTokenObject, serviceUserObject } from "./arbitraries/objects.ts";
import { fixedToken } from "./arbitraries/tokens.ts";
import { fuzzSettings, fuzzSummary } from "./fuzz-settings.ts";

const RUNS_PER_PARSER = 1_000;
/** A condition message or log line, not a dump of the object. */
const MAX_MESSAGE_LENGTH = 4096;
const settings = fuzzSettings();
const known = ["parser-a", "parser-b"].map(fixedToken);
let inputs = 0;

afterAll(() => {
  process.stdout.write(fuzzSummary("object parsers", inputs, settings));
});

/** Any JSON-ish value, including keys that have polluted prototypes elsewhere. */
const anything = fc.anything({
  key: fc.oneof(fc.string(), fc.constantFrom("__proto__", "constructor", "metadata", "spec")),
  withNullPrototype: true,
  withBigInt: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withSparseArray: true,
  withTypedArray: true,
});

const parsers = [
  ["parseServiceUser", parseServiceUser, serviceUserObject(known)],
  ["parseServiceToken", parseServiceToken, serviceTokenObject(known)],
] as const;

describe("fuzzing the object parsers", () => {
  it.each(parsers)(
    "%s: typed, or an InvalidObjectError that names no token",
    (_name, parse, objects) => {
      fc.assert(
        fc.property(fc.oneof({ weight: 4, arbitrary: objects }, anything), (object) => {
          inputs += 1;
          let parsed: unknown;
          try {
            parsed = parse(object);
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidObjectError);
            const message = (error as InvalidObjectError).message;
            expect(message.length).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
            expect(message).not.toMatch(TOKEN_PATTERN);
            return;
          }
          // A projection: what came out parses to itself.
          expect(parse(parsed)).toEqual(parsed);
          expect(JSON.stringify(parsed)).toBeDefined();
        }),
        { seed: settings.seed, numRuns: settings.runs(RUNS_PER_PARSER) },
      );
    },
    120_000,
  );
});
