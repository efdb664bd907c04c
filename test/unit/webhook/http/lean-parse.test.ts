// The lean parser serves one plain shape of request and calls everything else `other` (node's
// HTTP server answers it): each smuggling and framing trick below must come out `other`.
import { describe, expect, it } from "vitest";
import {
  parseLeanRequest,
  type LeanParse,
} from "../../../../src/webhook/http/lean/parse-request.ts";

const LIMITS = { maxHeadBytes: 1024, maxBodyBytes: 256 };
const parse = (text: string): LeanParse => parseLeanRequest(Buffer.from(text, "latin1"), LIMITS);
const BODY = '{"kind":"TokenReview"}';
const post = (headers: string, body = BODY): string =>
  `POST /authenticate?timeout=30s HTTP/1.1\r\nHost: w\r\n${headers}\r\n${body}`;
const plain = post(`Content-Type: application/json\r\nContent-Length: ${BODY.length}\r\n`);

describe("parseLeanRequest", () => {
  it("reads a plain request: method, path, query, headers, body, length", () => {
    const parsed = parseLeanRequest(Buffer.from(plain + "GET /next"), LIMITS);
    if (parsed.kind !== "request") throw new Error(`parsed ${parsed.kind}`);
    const { request } = parsed;
    expect(request).toMatchObject({
      method: "POST",
      path: "/authenticate",
      query: "timeout=30s",
      contentType: "application/json",
      contentEncoding: undefined,
      authorization: undefined,
      close: false,
      length: plain.length,
    });
    expect(request.body.toString()).toBe(BODY);
  });

  it("reads header names in any case, values trimmed, and Connection: close", () => {
    const parsed = parse(
      "GET /verify HTTP/1.1\r\nhOST: w\r\nAUTHORIZATION: \t Bearer x \t\r\nconnection: Close\r\n\r\n",
    );
    if (parsed.kind !== "request") throw new Error(`parsed ${parsed.kind}`);
    expect(parsed.request).toMatchObject({ authorization: "Bearer x", close: true });
    expect(parsed.request.body.length).toBe(0);
  });

  it("waits for the rest of a head or a body", () => {
    expect(parse(plain.slice(0, 20)).kind).toBe("incomplete");
    expect(parse(plain.slice(0, plain.length - 1)).kind).toBe("incomplete");
  });

  const others: [string, string][] = [
    ["chunked body", post("Transfer-Encoding: chunked\r\n", "0\r\n\r\n")],
    [
      "Content-Length with Transfer-Encoding",
      post(`Content-Length: ${BODY.length}\r\nTransfer-Encoding: chunked\r\n`),
    ],
    ["two Content-Lengths", post(`Content-Length: ${BODY.length}\r\nContent-Length: 1\r\n`)],
    ["a signed Content-Length", post(`Content-Length: +${BODY.length}\r\n`)],
    ["a Content-Length list", post(`Content-Length: ${BODY.length}, ${BODY.length}\r\n`)],
    ["a body over the limit", post("Content-Length: 257\r\n", "x".repeat(257))],
    ["Expect: 100-continue", post(`Expect: 100-continue\r\nContent-Length: ${BODY.length}\r\n`)],
    ["an upgrade", "GET /verify HTTP/1.1\r\nHost: w\r\nUpgrade: h2c\r\n\r\n"],
    ["Connection: upgrade", "GET /verify HTTP/1.1\r\nHost: w\r\nConnection: Upgrade\r\n\r\n"],
    ["HTTP/1.0", "GET /verify HTTP/1.0\r\nHost: w\r\n\r\n"],
    ["HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"],
    ["no Host", "GET /verify HTTP/1.1\r\nAuthorization: Bearer x\r\n\r\n"],
    ["two Hosts", "GET /verify HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"],
    [
      "two Authorizations",
      "GET /verify HTTP/1.1\r\nHost: w\r\nAuthorization: a\r\nauthorization: b\r\n\r\n",
    ],
    ["an obs-fold", "GET /verify HTTP/1.1\r\nHost: w\r\nAuthorization: Bearer\r\n x\r\n\r\n"],
    ["a bare LF in a value", "GET /verify HTTP/1.1\r\nHost: w\r\nX: a\nb\r\n\r\n"],
    ["a bare CR in a value", "GET /verify HTTP/1.1\r\nHost: w\r\nX: a\rb\r\n\r\n"],
    ["a NUL in a value", "GET /verify HTTP/1.1\r\nHost: w\r\nX: a\0b\r\n\r\n"],
    ["a space before the colon", "GET /verify HTTP/1.1\r\nHost : w\r\n\r\n"],
    ["a line without a colon", "GET /verify HTTP/1.1\r\nHost: w\r\nnonsense\r\n\r\n"],
    ["an empty name", "GET /verify HTTP/1.1\r\nHost: w\r\n: x\r\n\r\n"],
    ["a lower-case method", "get /verify HTTP/1.1\r\nHost: w\r\n\r\n"],
    ["an absolute target", "GET https://w/verify HTTP/1.1\r\nHost: w\r\n\r\n"],
    ["a space in the target", "GET /ver ify HTTP/1.1\r\nHost: w\r\n\r\n"],
    ["a non-ASCII target", "GET /v\xe9rify HTTP/1.1\r\nHost: w\r\n\r\n"],
    ["bare LF line ends", "GET /verify HTTP/1.1\nHost: w\n\n"],
    [
      "a head over the limit, complete",
      `GET /verify HTTP/1.1\r\nHost: w\r\nX: ${"a".repeat(1100)}\r\n\r\n`,
    ],
    [
      "a head over the limit, unfinished",
      `GET /verify HTTP/1.1\r\nHost: w\r\nX: ${"a".repeat(1100)}`,
    ],
    ["a Trailer header", post(`Trailer: X\r\nContent-Length: ${BODY.length}\r\n`)],
    ["CONNECT", "CONNECT /verify HTTP/1.1\r\nHost: w\r\n\r\n"],
    ["PRI", "PRI /verify HTTP/1.1\r\nHost: w\r\n\r\n"],
    ["a method node does not know", "FOO /verify HTTP/1.1\r\nHost: w\r\n\r\n"],
    ["Proxy-Connection", "GET /verify HTTP/1.1\r\nHost: w\r\nProxy-Connection: close\r\n\r\n"],
    ["101 header lines", `GET /verify HTTP/1.1\r\nHost: w\r\n${"A: 1\r\n".repeat(100)}\r\n`],
  ];
  it.each(others)("leaves %s to node", (_name, text) => {
    expect(parse(text).kind).toBe("other");
  });
});
