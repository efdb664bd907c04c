// src/webhook/http/lean/: the hot routes answered on the TLS socket itself, below node's HTTP
// server (record 89). This file: a strict parser for the one shape of request those routes
// serve. It accepts a subset of HTTP/1.1 and calls everything else `other`, which the
// connection hands, bytes untouched, to node's HTTP server: anything unusual or ambiguous
// (chunked bodies, Expect, obs-folds, bare LFs, repeated framing headers, HTTP/1.0, upgrades)
// is then node's to answer or refuse, never ours to guess.

/** One request the lean routes may answer. */
export interface LeanRequest {
  method: string;
  /** The request target up to `?`, as received (not decoded). */
  path: string;
  /** After `?`, or "". */
  query: string;
  contentType: string | undefined;
  /** Set (any value): the lean routes leave the request to node. */
  contentEncoding: string | undefined;
  authorization: string | undefined;
  /** `Connection: close`: the answer is the connection's last. */
  close: boolean;
  body: Buffer;
  /** Bytes the request took, head and body. */
  length: number;
}

export type LeanParse =
  | { kind: "request"; request: LeanRequest }
  /** The head or body has not all arrived yet. */
  | { kind: "incomplete" }
  /** Not a request this parser serves: node's HTTP server takes the connection. */
  | { kind: "other" };

export interface LeanLimits {
  /** Longest head (request line and headers); node's default maxHeaderSize is 16 KiB. */
  maxHeadBytes: number;
  maxBodyBytes: number;
}

const INCOMPLETE: LeanParse = { kind: "incomplete" };
const OTHER: LeanParse = { kind: "other" };
const HEAD_END = "\r\n\r\n";
// Methods node's parser knows and serves as plain requests (not CONNECT, not PRI, no others).
const REQUEST_LINE = /^(GET|HEAD|POST|PUT|DELETE|OPTIONS|PATCH) (\/[\x21-\x7e]*) HTTP\/1\.1$/;
/** More header lines than any client of the hot routes sends: node's limits decide those. */
const MAX_HEADER_LINES = 100;
// Every header line, checked in one pass from `lastIndex` to the end of the head: an RFC 9110
// token name, a colon, and a value of visible characters, spaces, tabs and obs-text: no CR,
// LF, NUL or other controls (those make node's parser refuse the request, so they go to it).
const HEADER_LINES = /(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[\t\x20-\x7e\x80-\xff]*\r\n)*$/y;
const DIGITS = /^[0-9]{1,9}$/;

/** The headers this parser reads; it looks at no other but those that send a request to node. */
interface ReadHeaders {
  host: string | undefined;
  contentLength: string | undefined;
  contentType: string | undefined;
  contentEncoding: string | undefined;
  authorization: string | undefined;
  connection: string | undefined;
}
/** Lower-case names: the field each is read into, or "node" for those node must handle. */
const NAMES = new Map<string, keyof ReadHeaders | "node">([
  ["host", "host"],
  ["content-length", "contentLength"],
  ["content-type", "contentType"],
  ["content-encoding", "contentEncoding"],
  ["authorization", "authorization"],
  ["connection", "connection"],
  // They frame or negotiate: chunked bodies, 100-continue, protocol switches, trailers.
  ["transfer-encoding", "node"],
  ["expect", "node"],
  ["upgrade", "node"],
  ["te", "node"],
  ["trailer", "node"],
  // Node reads it as Connection.
  ["proxy-connection", "node"],
]);
/** Lengths of those names: other names are never lower-cased. */
const NAME_LENGTHS = new Set([...NAMES.keys()].map((name) => name.length));

/**
 * Reads one request from the start of `buffer`. `request` carries slices of `buffer`, so it is
 * read before the buffer is reused.
 */
export function parseLeanRequest(buffer: Buffer, limits: LeanLimits): LeanParse {
  const headEnd = buffer.indexOf(HEAD_END, 0, "latin1");
  if (headEnd < 0) {
    return buffer.length > limits.maxHeadBytes || hasBareLineFeed(buffer) ? OTHER : INCOMPLETE;
  }
  if (headEnd > limits.maxHeadBytes) return OTHER;
  // The head with its last line's CRLF: every header line then ends the same way.
  const head = buffer.toString("latin1", 0, headEnd + 2);
  const lineEnd = head.indexOf("\r\n");
  const line = REQUEST_LINE.exec(head.slice(0, lineEnd));
  if (line === null) return OTHER;
  const headers = readHeaders(head, lineEnd + 2);
  if (headers === undefined || !framedPlainly(headers)) return OTHER;

  const declared = headers.contentLength;
  const bodyLength = declared === undefined ? 0 : Number(declared);
  if (bodyLength > limits.maxBodyBytes) return OTHER;
  const bodyStart = headEnd + HEAD_END.length;
  const length = bodyStart + bodyLength;
  if (buffer.length < length) return INCOMPLETE;

  const target = line[2] as string;
  const mark = target.indexOf("?");
  return {
    kind: "request",
    request: {
      method: line[1] as string,
      path: mark < 0 ? target : target.slice(0, mark),
      query: mark < 0 ? "" : target.slice(mark + 1),
      contentType: headers.contentType,
      contentEncoding: headers.contentEncoding,
      authorization: headers.authorization,
      close: headers.connection?.toLowerCase() === "close",
      body: buffer.subarray(bodyStart, length),
      length,
    },
  };
}

/**
 * The headers this parser reads, from the lines at `start` on; undefined when a line is
 * malformed, a header node must handle is present, or a read one appears twice (a repeated
 * Content-Length or Authorization is ambiguous: node decides).
 */
function readHeaders(head: string, start: number): ReadHeaders | undefined {
  HEADER_LINES.lastIndex = start;
  if (!HEADER_LINES.test(head)) return undefined;
  const headers: ReadHeaders = {
    host: undefined,
    contentLength: undefined,
    contentType: undefined,
    contentEncoding: undefined,
    authorization: undefined,
    connection: undefined,
  };
  for (let from = start, lines = 1; from < head.length; lines++) {
    if (lines > MAX_HEADER_LINES) return undefined;
    const end = head.indexOf("\r\n", from);
    const colon = head.indexOf(":", from);
    const field = NAME_LENGTHS.has(colon - from)
      ? NAMES.get(head.slice(from, colon).toLowerCase())
      : undefined;
    if (field === "node") return undefined;
    if (field !== undefined) {
      if (headers[field] !== undefined) return undefined;
      headers[field] = trimSpaces(head, colon + 1, end);
    }
    from = end + 2;
  }
  return headers;
}

/** `text` from `start` to `end` without leading or trailing spaces and tabs (RFC 9110 OWS). */
function trimSpaces(text: string, start: number, end: number): string {
  let from = start;
  let to = end;
  while (from < to && isSpace(text.charCodeAt(from))) from++;
  while (to > from && isSpace(text.charCodeAt(to - 1))) to--;
  return text.slice(from, to);
}

const isSpace = (code: number): boolean => code === 0x20 || code === 0x09;

/**
 * A body framed by Content-Length alone (or none), one Host (node requires it), and a
 * Connection header that only says keep-alive or close: everything else is node's.
 */
function framedPlainly(headers: ReadHeaders): boolean {
  if (headers.host === undefined) return false;
  const declared = headers.contentLength;
  if (declared !== undefined && !DIGITS.test(declared)) return false;
  const connection = headers.connection;
  if (connection === undefined) return true;
  const option = connection.toLowerCase();
  return option === "keep-alive" || option === "close";
}

/** A LF not after a CR: that head would never end as this parser expects (node refuses it). */
function hasBareLineFeed(buffer: Buffer): boolean {
  for (let at = buffer.indexOf(10); at >= 0; at = buffer.indexOf(10, at + 1)) {
    if (at === 0 || buffer[at - 1] !== 13) return true;
  }
  return false;
}
