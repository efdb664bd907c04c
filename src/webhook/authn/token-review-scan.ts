// The hot path's reader of a TokenReview request: the token, version and audiences read from the
// body's text in one pass, without building the objects JSON.parse would. It reads only a plain
// subset of JSON — objects, arrays, null/true/false and strings of printable ASCII without
// escapes, which is what kube-apiserver sends — and answers only when the text is a TokenReview
// that `parseTokenReview(JSON.parse(text))` would accept, with the very same values. For
// anything else (a number, an escape, a non-ASCII character, deep nesting, a field of the wrong
// type, malformed JSON) it answers undefined and the caller parses the text as before, so every
// refusal keeps its wording and no text JSON.parse rejects is ever read.
import type { TokenReviewApiVersion, TokenReviewRequest } from "./token-review.ts";
import { MAX_AUDIENCE_LENGTH, MAX_AUDIENCES, MAX_TOKEN_LENGTH } from "./request-bounds.ts";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
/** Deeper than anything a TokenReview holds: left to JSON.parse. */
const MAX_DEPTH = 16;
const FAILED = -1;

const V1 = "authentication.k8s.io/v1";
const V1BETA1 = "authentication.k8s.io/v1beta1";

/**
 * What the members read so far held, the last of repeated names winning as in JSON.parse: one
 * object for every scan (a scan runs to its end before the next starts), so a request allocates
 * no spans, reads or closures. A start of -1: absent, or not a string.
 */
const read = {
  versionStart: -1,
  versionEnd: -1,
  kindStart: -1,
  kindEnd: -1,
  /** A `spec` member was read (the last one decides). */
  spec: false,
  /** The last `spec` was an object. */
  specObject: false,
  tokenStart: -1,
  tokenEnd: -1,
  /** The last `audiences` of the last spec: undefined when absent or null, else its strings or FAILED. */
  audiences: undefined as string[] | typeof FAILED | undefined,
};

/** JSON's whitespace, skipped from `at`. */
function skipSpace(text: string, at: number): number {
  let index = at;
  for (; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code !== 0x20 && code !== 0x0a && code !== 0x0d && code !== 0x09) break;
  }
  return index;
}

/** The end (after the closing quote) of a plain string starting at `at` (a quote), or FAILED. */
function stringEnd(text: string, at: number): number {
  for (let index = at + 1; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) return index + 1;
    // Escapes, control characters and anything past ASCII: JSON.parse reads those.
    if (code === BACKSLASH || code < 0x20 || code > 0x7e) return FAILED;
  }
  return FAILED;
}

function literalEnd(text: string, at: number): number {
  for (const literal of ["null", "true", "false"]) {
    if (text.startsWith(literal, at)) return at + literal.length;
  }
  return FAILED;
}

/** The end of any value of the subset at `at` (after leading space), or FAILED. */
function valueEnd(text: string, at: number, depth: number): number {
  const code = text.charCodeAt(at);
  if (code === QUOTE) return stringEnd(text, at);
  if (code === OPEN_OBJECT || code === OPEN_ARRAY) return containerEnd(text, at, depth + 1);
  return literalEnd(text, at);
}

/**
 * The end of the object or array at `at`, or FAILED. Members are `"name": value`, items are
 * values; the loops are written out (no callbacks) as the hot path runs them per request.
 */
function containerEnd(text: string, at: number, depth: number): number {
  if (depth > MAX_DEPTH) return FAILED;
  const object = text.charCodeAt(at) === OPEN_OBJECT;
  const close = object ? CLOSE_OBJECT : CLOSE_ARRAY;
  let index = skipSpace(text, at + 1);
  if (text.charCodeAt(index) === close) return index + 1;
  for (;;) {
    if (object) {
      index = memberValueStart(text, index);
      if (index === FAILED) return FAILED;
    }
    const end = valueEnd(text, index, depth);
    if (end === FAILED) return FAILED;
    index = skipSpace(text, end);
    const next = text.charCodeAt(index);
    if (next === close) return index + 1;
    if (next !== COMMA) return FAILED;
    index = skipSpace(text, index + 1);
  }
}

/** From a member's name (at `at`, a quote) past its colon: where its value starts, or FAILED. */
function memberValueStart(text: string, at: number): number {
  if (text.charCodeAt(at) !== QUOTE) return FAILED;
  const nameEnd = stringEnd(text, at);
  if (nameEnd === FAILED) return FAILED;
  const colon = skipSpace(text, nameEnd);
  return text.charCodeAt(colon) === COLON ? skipSpace(text, colon + 1) : FAILED;
}

/** Whether the member name starting at `at` (its opening quote) is `name`. */
const namedAt = (text: string, at: number, name: string): boolean =>
  text.charCodeAt(at + 1 + name.length) === QUOTE && text.startsWith(name, at + 1);
const named = (text: string, start: number, end: number, name: string): boolean =>
  end - start === name.length && text.startsWith(name, start);
const isString = (text: string, start: number): boolean => text.charCodeAt(start) === QUOTE;

/** The audiences of an `audiences` value: [] for null, its strings, or FAILED. */
function audiencesOf(text: string, start: number, end: number): string[] | -1 {
  if (text.startsWith("null", start) && end === start + 4) return [];
  if (text.charCodeAt(start) !== OPEN_ARRAY) return FAILED;
  const audiences: string[] = [];
  let index = skipSpace(text, start + 1);
  if (text.charCodeAt(index) === CLOSE_ARRAY) return audiences;
  for (;;) {
    const stringStop = isString(text, index) ? stringEnd(text, index) : FAILED;
    const length = stringStop - index - 2;
    if (stringStop === FAILED || length < 1 || length > MAX_AUDIENCE_LENGTH) return FAILED;
    audiences.push(text.slice(index + 1, stringStop - 1));
    if (audiences.length > MAX_AUDIENCES) return FAILED;
    index = skipSpace(text, stringStop);
    const next = text.charCodeAt(index);
    if (next === CLOSE_ARRAY) return audiences;
    if (next !== COMMA) return FAILED;
    index = skipSpace(text, index + 1);
  }
}

/** Where a member's name, value and value's end are: what a visitor is handed. */
type MemberVisitor = (text: string, nameAt: number, start: number, end: number) => void;

/**
 * Reads the object at `at` member by member, handing each to `onMember` (name start, value
 * start, value end); its end, or FAILED. The visitors are module functions writing to `read`:
 * nothing is allocated per member.
 */
function readMembers(text: string, at: number, onMember: MemberVisitor): number {
  let index = skipSpace(text, at + 1);
  if (text.charCodeAt(index) === CLOSE_OBJECT) return index + 1;
  for (;;) {
    const start = memberValueStart(text, index);
    if (start === FAILED) return FAILED;
    const end = valueEnd(text, start, 2);
    if (end === FAILED) return FAILED;
    onMember(text, index, start, end);
    index = skipSpace(text, end);
    const next = text.charCodeAt(index);
    if (next === CLOSE_OBJECT) return index + 1;
    if (next !== COMMA) return FAILED;
    index = skipSpace(text, index + 1);
  }
}

/** A member of `spec`: its token and audiences. */
function readSpecMember(text: string, nameAt: number, start: number, end: number): void {
  if (namedAt(text, nameAt, "token")) {
    const string = isString(text, start);
    read.tokenStart = string ? start + 1 : -1;
    read.tokenEnd = string ? end - 1 : -1;
  } else if (namedAt(text, nameAt, "audiences")) {
    read.audiences = audiencesOf(text, start, end);
  }
}

/** A member of the TokenReview: apiVersion, kind, spec (read a level down). */
function readReviewMember(text: string, nameAt: number, start: number, end: number): void {
  const string = isString(text, start);
  if (namedAt(text, nameAt, "apiVersion")) {
    read.versionStart = string ? start + 1 : -1;
    read.versionEnd = end - 1;
  } else if (namedAt(text, nameAt, "kind")) {
    read.kindStart = string ? start + 1 : -1;
    read.kindEnd = end - 1;
  } else if (namedAt(text, nameAt, "spec")) {
    // A later spec replaces an earlier one whole.
    read.spec = true;
    read.tokenStart = read.tokenEnd = -1;
    read.audiences = undefined;
    read.specObject =
      text.charCodeAt(start) === OPEN_OBJECT && readMembers(text, start, readSpecMember) === end;
  }
}

function versionOf(text: string): TokenReviewApiVersion | undefined {
  if (read.versionStart < 0) return undefined;
  if (named(text, read.versionStart, read.versionEnd, V1)) return V1;
  return named(text, read.versionStart, read.versionEnd, V1BETA1) ? V1BETA1 : undefined;
}

/**
 * The TokenReview `text` holds, read as `parseTokenReview(JSON.parse(text))` would read it, or
 * undefined when it cannot say so for certain (the caller then parses the text).
 */
export function scanTokenReview(text: string): TokenReviewRequest | undefined {
  const first = skipSpace(text, 0);
  if (text.charCodeAt(first) !== OPEN_OBJECT) return undefined;
  read.versionStart = read.kindStart = read.tokenStart = -1;
  read.spec = read.specObject = false;
  read.audiences = undefined;
  const end = readMembers(text, first, readReviewMember);
  // Nothing but whitespace after the object: JSON.parse would refuse anything else.
  if (end === FAILED || skipSpace(text, end) !== text.length) return undefined;
  const apiVersion = versionOf(text);
  const { kindStart, kindEnd, tokenStart, tokenEnd, audiences } = read;
  // Nothing read is kept past this call (the audiences list is handed over).
  read.audiences = undefined;
  if (
    apiVersion === undefined ||
    kindStart < 0 ||
    !named(text, kindStart, kindEnd, "TokenReview")
  ) {
    return undefined;
  }
  if (!read.spec || !read.specObject || tokenStart < 0) return undefined;
  const length = tokenEnd - tokenStart;
  if (length < 1 || length > MAX_TOKEN_LENGTH || audiences === FAILED) return undefined;
  return { apiVersion, token: text.slice(tokenStart, tokenEnd), audiences: audiences ?? [] };
}
