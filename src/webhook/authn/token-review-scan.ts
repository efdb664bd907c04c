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

/** A string value's span: the characters between its quotes. */
interface Span {
  start: number;
  end: number;
}

/** What the last `spec` member held (JSON.parse keeps the last of repeated names). */
interface SpecRead {
  /** `spec` was an object. */
  object: boolean;
  token: Span | undefined;
  /** The last `audiences`: undefined when absent or null, else its strings or FAILED. */
  audiences: string[] | typeof FAILED | undefined;
}

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
  if (code === OPEN_OBJECT) return membersEnd(text, at, depth + 1, () => true);
  if (code === OPEN_ARRAY) return itemsEnd(text, at, depth + 1, () => true);
  return literalEnd(text, at);
}

/**
 * The end of the object at `at`, each member's value handed to `member` (name span, value
 * start, value end); `member` answering false fails the scan.
 */
function membersEnd(
  text: string,
  at: number,
  depth: number,
  member: (name: Span, start: number, end: number) => boolean,
): number {
  if (depth > MAX_DEPTH) return FAILED;
  let index = skipSpace(text, at + 1);
  if (text.charCodeAt(index) === CLOSE_OBJECT) return index + 1;
  for (;;) {
    if (text.charCodeAt(index) !== QUOTE) return FAILED;
    const nameEnd = stringEnd(text, index);
    if (nameEnd === FAILED) return FAILED;
    const name = { start: index + 1, end: nameEnd - 1 };
    index = skipSpace(text, nameEnd);
    if (text.charCodeAt(index) !== COLON) return FAILED;
    const start = skipSpace(text, index + 1);
    const end = valueEnd(text, start, depth);
    if (end === FAILED || !member(name, start, end)) return FAILED;
    index = skipSpace(text, end);
    const next = text.charCodeAt(index);
    if (next === CLOSE_OBJECT) return index + 1;
    if (next !== COMMA) return FAILED;
    index = skipSpace(text, index + 1);
  }
}

/** The end of the array at `at`, each item handed to `item` as `membersEnd` does. */
function itemsEnd(
  text: string,
  at: number,
  depth: number,
  item: (start: number, end: number) => boolean,
): number {
  if (depth > MAX_DEPTH) return FAILED;
  let index = skipSpace(text, at + 1);
  if (text.charCodeAt(index) === CLOSE_ARRAY) return index + 1;
  for (;;) {
    const end = valueEnd(text, index, depth);
    if (end === FAILED || !item(index, end)) return FAILED;
    index = skipSpace(text, end);
    const next = text.charCodeAt(index);
    if (next === CLOSE_ARRAY) return index + 1;
    if (next !== COMMA) return FAILED;
    index = skipSpace(text, index + 1);
  }
}

const named = (text: string, span: Span, name: string): boolean =>
  span.end - span.start === name.length && text.startsWith(name, span.start);
const isString = (text: string, start: number): boolean => text.charCodeAt(start) === QUOTE;

/** The audiences of an `audiences` value: [] for null, its strings, or FAILED. */
function audiencesOf(text: string, start: number, end: number, depth: number): string[] | -1 {
  if (text.startsWith("null", start) && end === start + 4) return [];
  if (text.charCodeAt(start) !== OPEN_ARRAY) return FAILED;
  const audiences: string[] = [];
  const read = itemsEnd(text, start, depth + 1, (from, to) => {
    const length = to - from - 2;
    if (!isString(text, from) || length < 1 || length > MAX_AUDIENCE_LENGTH) return false;
    audiences.push(text.slice(from + 1, to - 1));
    return audiences.length <= MAX_AUDIENCES;
  });
  return read === FAILED ? FAILED : audiences;
}

function readSpec(text: string, start: number, end: number, depth: number): SpecRead {
  const spec: SpecRead = { object: false, token: undefined, audiences: undefined };
  if (text.charCodeAt(start) !== OPEN_OBJECT) return spec;
  const read = membersEnd(text, start, depth + 1, (name, from, to) => {
    if (named(text, name, "token")) {
      spec.token = isString(text, from) ? { start: from + 1, end: to - 1 } : undefined;
    } else if (named(text, name, "audiences")) {
      spec.audiences = audiencesOf(text, from, to, depth + 1);
    }
    return true;
  });
  spec.object = read === end;
  return spec;
}

function versionOf(text: string, span: Span | undefined): TokenReviewApiVersion | undefined {
  if (span === undefined) return undefined;
  if (named(text, span, V1)) return V1;
  return named(text, span, V1BETA1) ? V1BETA1 : undefined;
}

/**
 * The TokenReview `text` holds, read as `parseTokenReview(JSON.parse(text))` would read it, or
 * undefined when it cannot say so for certain (the caller then parses the text).
 */
export function scanTokenReview(text: string): TokenReviewRequest | undefined {
  const first = skipSpace(text, 0);
  if (text.charCodeAt(first) !== OPEN_OBJECT) return undefined;
  let version: Span | undefined;
  let kind: Span | undefined;
  let spec: SpecRead | undefined;
  const end = membersEnd(text, first, 1, (name, start, valueEnd) => {
    const span = isString(text, start) ? { start: start + 1, end: valueEnd - 1 } : undefined;
    if (named(text, name, "apiVersion")) version = span;
    else if (named(text, name, "kind")) kind = span;
    else if (named(text, name, "spec")) spec = readSpec(text, start, valueEnd, 1);
    return true;
  });
  // Nothing but whitespace after the object: JSON.parse would refuse anything else.
  if (end === FAILED || skipSpace(text, end) !== text.length) return undefined;
  const apiVersion = versionOf(text, version);
  if (apiVersion === undefined || kind === undefined || !named(text, kind, "TokenReview")) {
    return undefined;
  }
  if (spec === undefined || !spec.object || spec.token === undefined) return undefined;
  const { token, audiences } = spec;
  const length = token.end - token.start;
  if (length < 1 || length > MAX_TOKEN_LENGTH || audiences === FAILED) return undefined;
  return { apiVersion, token: text.slice(token.start, token.end), audiences: audiences ?? [] };
}
