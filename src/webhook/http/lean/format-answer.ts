// An answer of the lean routes as HTTP/1.1 bytes, framed as node's ServerResponse frames it
// for the same status, headers and body: a reason phrase, a Date, Content-Length, and the
// keep-alive headers (or Connection: close while the server stops).
import { STATUS_CODES } from "node:http";
import type { Answer } from "../http-errors.ts";

/** What node refuses in a header value (its checkInvalidHeaderChar): those answers fail. */
const INVALID_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

let dateSecond = -1;
let dateText = "";

/** The Date header's value, formatted once per second (as node does). */
function httpDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(second * 1000).toUTCString();
  }
  return dateText;
}

/** The header lines of frozen header sets (constants shared by every answer), checked once. */
const frozenLines = new WeakMap<object, string>();

/** `Name: value\r\n` for each header; throws on a value node would refuse. */
function headerLines(headers: Readonly<Record<string, string>>): string {
  const known = frozenLines.get(headers);
  if (known !== undefined) return known;
  let text = "";
  for (const name in headers) {
    const value = headers[name] as string;
    if (INVALID_HEADER_VALUE.test(value)) throw new Error(`invalid value of header ${name}`);
    text += `${name}: ${value}\r\n`;
  }
  if (Object.isFrozen(headers)) frozenLines.set(headers, text);
  return text;
}

/**
 * The bytes of `answer`; `keepAliveSeconds` undefined: the connection closes after it. Throws
 * on a header value node would refuse (the caller answers 500). A HEAD answer has no body but
 * its length.
 */
export function formatAnswer(
  answer: Answer,
  keepAliveSeconds: number | undefined,
  head = false,
): string | Buffer {
  const text =
    `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? "unknown"}\r\n` +
    headerLines(answer.headers) +
    `Content-Length: ${answer.bodyBytes ?? Buffer.byteLength(answer.body)}\r\nDate: ${httpDate()}\r\n` +
    (keepAliveSeconds === undefined
      ? "Connection: close\r\n\r\n"
      : `Connection: keep-alive\r\nKeep-Alive: timeout=${keepAliveSeconds}\r\n\r\n`);
  const body = head ? "" : answer.body;
  // Header bytes are latin1 (node's rule); an ASCII head is the same bytes in UTF-8.
  if (Buffer.byteLength(text) === text.length) return text + body;
  return Buffer.concat([Buffer.from(text, "latin1"), Buffer.from(body, "utf8")]);
}
