// The text scanner of TokenReview requests against the reference it stands in for —
// body-parser's strict JSON.parse, then parseTokenReview — over hand-picked hostile bodies and
// thousands of mutations: whenever it answers, the reference accepts the same text with the
// very same values; it answers for what kube-apiserver sends; it never reads a text JSON.parse
// rejects or a token other than the one JSON.parse reads.
import { describe, expect, it } from "vitest";
import { generateToken } from "../../../../src/tokens/index.ts";
import { parseTokenReview } from "../../../../src/webhook/authn/token-review.ts";
import { scanTokenReview } from "../../../../src/webhook/authn/token-review-scan.ts";
import { parseStrictJson } from "../../../../src/webhook/http/json-body.ts";

const TOKEN = generateToken();
const OTHER = generateToken();
const V1 = "authentication.k8s.io/v1";

/** What the route did before the scanner: the accepted request, or undefined for a refusal. */
function reference(text: string): unknown {
  const json = parseStrictJson(text);
  if (!json.ok) return undefined;
  const parsed = parseTokenReview(json.value);
  return parsed.ok ? parsed.value : undefined;
}

/** The scanner answers only when the reference accepts, and with the same values. */
function expectAgreement(text: string): void {
  const scanned = scanTokenReview(text);
  if (scanned !== undefined) expect(scanned).toEqual(reference(text));
}

// kube-apiserver's encoding: kind first, a trailing newline (Go's json.Encoder).
const apiserverV1 = `{"kind":"TokenReview","apiVersion":"${V1}","metadata":{"creationTimestamp":null},"spec":{"token":"${TOKEN}","audiences":["https://kubernetes.default.svc"]},"status":{"user":{}}}\n`;

describe("scanTokenReview answers what kube-apiserver and clients send", () => {
  it.each([
    ["kube-apiserver's v1 with audiences", apiserverV1],
    [
      "v1beta1 without audiences",
      apiserverV1.replace(`${V1}"`, `${V1}beta1"`).replace(/,"audiences":\[[^\]]*\]/, ""),
    ],
    [
      "JSON.stringify's order",
      JSON.stringify({ apiVersion: V1, kind: "TokenReview", spec: { token: TOKEN } }),
    ],
    [
      "audiences null",
      JSON.stringify({
        apiVersion: V1,
        kind: "TokenReview",
        spec: { token: TOKEN, audiences: null },
      }),
    ],
    [
      "audiences empty",
      JSON.stringify({
        apiVersion: V1,
        kind: "TokenReview",
        spec: { token: TOKEN, audiences: [] },
      }),
    ],
    [
      "indented",
      JSON.stringify(
        { apiVersion: V1, kind: "TokenReview", spec: { token: TOKEN, audiences: ["a", "a"] } },
        null,
        2,
      ),
    ],
  ])("%s", (_name, text) => {
    const scanned = scanTokenReview(text);
    expect(scanned).toBeDefined();
    expect(scanned).toEqual(reference(text));
  });
});

describe("scanTokenReview never differs from JSON.parse and parseTokenReview", () => {
  const spec = (inner: string): string =>
    `{"apiVersion":"${V1}","kind":"TokenReview","spec":${inner}}`;
  it.each([
    [
      "the last spec wins",
      `{"apiVersion":"${V1}","kind":"TokenReview","spec":{"token":"${TOKEN}"},"spec":{"token":"${OTHER}"}}`,
    ],
    [
      "the last spec is not an object",
      `{"apiVersion":"${V1}","kind":"TokenReview","spec":{"token":"${TOKEN}"},"spec":null}`,
    ],
    ["the last token wins", spec(`{"token":"${TOKEN}","token":"${OTHER}"}`)],
    ["the last token is not a string", spec(`{"token":"${TOKEN}","token":{}}`)],
    [
      "the last apiVersion wins",
      `{"apiVersion":"${V1}","kind":"TokenReview","apiVersion":"v2","spec":{"token":"${TOKEN}"}}`,
    ],
    ["a token nested deeper", spec(`{"x":{"token":"${OTHER}"},"token":"${TOKEN}"}`)],
    ["only a nested token", spec(`{"x":{"token":"${OTHER}"}}`)],
    [
      "a spec nested in metadata",
      `{"apiVersion":"${V1}","kind":"TokenReview","metadata":{"spec":{"token":"${OTHER}"}}}`,
    ],
    [
      "__proto__ holding the fields",
      `{"__proto__":{"apiVersion":"${V1}","kind":"TokenReview","spec":{"token":"${TOKEN}"}}}`,
    ],
    [
      "an escaped name",
      `{"\\u0061piVersion":"${V1}","kind":"TokenReview","spec":{"token":"${TOKEN}"}}`,
    ],
    ["an escaped token", spec(`{"token":"svct_\\u0041${TOKEN.slice(6)}"}`)],
    [
      "an escaped slash in the version",
      `{"apiVersion":"authentication.k8s.io\\/v1","kind":"TokenReview","spec":{"token":"${TOKEN}"}}`,
    ],
    ["a number", `{"apiVersion":"${V1}","kind":"TokenReview","n":1,"spec":{"token":"${TOKEN}"}}`],
    ["a non-ASCII character", spec(`{"token":"${TOKEN}","é":"ü"}`)],
    ["a control character in a string", spec(`{"token":"${TOKEN}\t"}`)],
    ["a trailing comma", spec(`{"token":"${TOKEN}",}`)],
    ["a trailing comma in an array", spec(`{"token":"${TOKEN}","audiences":["a",]}`)],
    ["garbage after the object", `${spec(`{"token":"${TOKEN}"}`)}x`],
    ["a second object", `${spec(`{"token":"${TOKEN}"}`)}{}`],
    ["an unterminated string", spec(`{"token":"${TOKEN}}`)],
    ["a single-quoted string", spec(`{"token":'${TOKEN}'}`)],
    ["a bare word", spec(`{"token":"${TOKEN}","x":nul}`)],
    ["a literal run on", spec(`{"token":"${TOKEN}","x":nullx}`)],
    ["a top-level array", `[${spec(`{"token":"${TOKEN}"}`)}]`],
    ["an empty body", ""],
    ["whitespace only", " \n"],
    ["a missing colon", spec(`{"token" "${TOKEN}"}`)],
    [
      "33 audiences",
      spec(
        `{"token":"${TOKEN}","audiences":[${Array.from({ length: 33 }, (_, i) => `"${i}"`).join(",")}]}`,
      ),
    ],
    [
      "32 audiences",
      spec(
        `{"token":"${TOKEN}","audiences":[${Array.from({ length: 32 }, (_, i) => `"${i}"`).join(",")}]}`,
      ),
    ],
    ["an empty audience", spec(`{"token":"${TOKEN}","audiences":[""]}`)],
    ["an audience of 1025", spec(`{"token":"${TOKEN}","audiences":["${"a".repeat(1025)}"]}`)],
    ["an audience of 1024", spec(`{"token":"${TOKEN}","audiences":["${"a".repeat(1024)}"]}`)],
    ["audiences a string", spec(`{"token":"${TOKEN}","audiences":"a"}`)],
    ["audiences true", spec(`{"token":"${TOKEN}","audiences":true}`)],
    ["a nested audience list", spec(`{"token":"${TOKEN}","audiences":[["a"]]}`)],
    ["a token of 4097", spec(`{"token":"${"x".repeat(4097)}"}`)],
    ["a token of 4096", spec(`{"token":"${"x".repeat(4096)}"}`)],
    ["an empty token", spec(`{"token":""}`)],
    ["kind misspelt", `{"apiVersion":"${V1}","kind":"tokenreview","spec":{"token":"${TOKEN}"}}`],
    ["kind missing", `{"apiVersion":"${V1}","spec":{"token":"${TOKEN}"}}`],
    [
      "apiVersion a prefix",
      `{"apiVersion":"authentication.k8s.io/v","kind":"TokenReview","spec":{"token":"${TOKEN}"}}`,
    ],
    [
      "apiVersion longer",
      `{"apiVersion":"authentication.k8s.io/v1x","kind":"TokenReview","spec":{"token":"${TOKEN}"}}`,
    ],
    [
      "deep nesting",
      `{"apiVersion":"${V1}","kind":"TokenReview","x":${"[".repeat(40)}${"]".repeat(40)},"spec":{"token":"${TOKEN}"}}`,
    ],
    ["spec an array", `{"apiVersion":"${V1}","kind":"TokenReview","spec":[{"token":"${TOKEN}"}]}`],
  ])("%s", (_name, text) => {
    expectAgreement(text);
  });

  it("agrees on every mutation of kube-apiserver's request (seeded)", () => {
    let seed = 12345;
    const random = (below: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return Math.floor((seed / 2 ** 31) * below);
    };
    const alphabet = `{}[]":, \n\\nulltruefalse0123456789-eE.aé\u0000${TOKEN.slice(5, 9)}`;
    const bases = [
      apiserverV1,
      `{"apiVersion":"${V1}","kind":"TokenReview","spec":{"token":"${TOKEN}","token":"${OTHER}"},"status":{}}`,
    ];
    let answered = 0;
    for (let round = 0; round < 20_000; round++) {
      let text = bases[round % bases.length] ?? "";
      for (let edits = 1 + random(3); edits > 0; edits--) {
        const at = random(text.length + 1);
        const piece = alphabet[random(alphabet.length)] ?? "";
        const kind = random(3);
        if (kind === 0) text = text.slice(0, at) + piece + text.slice(at);
        else if (kind === 1) text = text.slice(0, at) + text.slice(at + 1);
        else text = text.slice(0, at) + piece + text.slice(at + 1);
      }
      const scanned = scanTokenReview(text);
      if (scanned === undefined) continue;
      answered += 1;
      expect(scanned, text).toEqual(reference(text));
    }
    // Mutations that keep a valid request are read (the test is not passing by answering nothing).
    expect(answered).toBeGreaterThan(1000);
  });
});
