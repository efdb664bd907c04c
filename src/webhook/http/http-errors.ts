// Error answers: a metav1.Status body (what kube-apiserver logs from a failing webhook) with a
// short reason, and never anything from the request. Written on node's ServerResponse (express's
// Response is one), so the lean routes and the express ones answer byte for byte alike.
import type { ServerResponse } from "node:http";

const REASONS: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  413: "RequestEntityTooLarge",
  415: "UnsupportedMediaType",
  500: "InternalError",
  503: "ServiceUnavailable",
};

/** body-parser's error types, answered without echoing the body (a parse error quotes it). */
export const BODY_ERRORS: Record<string, [number, string]> = {
  "entity.too.large": [413, "request body too large"],
  "entity.parse.failed": [400, "request body is not valid JSON (an object is expected)"],
  "encoding.unsupported": [415, "Content-Encoding is not supported; send an uncompressed body"],
  "charset.unsupported": [415, "charset is not supported; send UTF-8"],
  "request.aborted": [400, "request aborted"],
  "request.size.invalid": [400, "request body size does not match Content-Length"],
};

const JSON_TYPE = "application/json; charset=utf-8";

/**
 * Status, headers and body of one answer (the body as text, sent as UTF-8; Content-Length is
 * the sender's to add): what node's routes and the lean routes (lean/format-answer.ts) send.
 */
export interface Answer {
  status: number;
  headers: Readonly<Record<string, string>>;
  body: string;
  /** The body's length in UTF-8, when known (a kept answer's); otherwise counted when sent. */
  bodyBytes?: number;
}

/** The headers of a JSON answer that must not be cached (a TokenReview's), Content-Length aside. */
export const UNCACHED_JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "Cache-Control": "no-store",
  "Content-Type": JSON_TYPE,
});

/** Sends `body` as JSON with `code` (what express's res.json sends, without an ETag). */
export function sendJson(res: ServerResponse, code: number, body: string): void {
  res.writeHead(code, { "Content-Type": JSON_TYPE, "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

/**
 * Sends `answer` on node's response, its headers and Content-Length in one writeHead (with no
 * header set before, node formats them straight from that object); a HEAD answer has no body.
 */
export function sendAnswer(res: ServerResponse, answer: Answer, head = false): void {
  res.writeHead(answer.status, {
    ...answer.headers,
    "Content-Length": answer.bodyBytes ?? Buffer.byteLength(answer.body),
  });
  res.end(head ? undefined : answer.body);
}

/** The body of a Status error with `code` and `message`. */
export function statusBody(code: number, message: string): string {
  const status = {
    apiVersion: "v1",
    kind: "Status",
    status: "Failure",
    code,
    reason: REASONS[code] ?? "Unknown",
    message,
  };
  return JSON.stringify(status);
}

/** Sends a Status error with `code` and `message`. */
export function sendStatus(res: ServerResponse, code: number, message: string): void {
  res.setHeader("Cache-Control", "no-store");
  sendJson(res, code, statusBody(code, message));
}
