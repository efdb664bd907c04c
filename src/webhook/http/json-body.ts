// Reads a JSON request body for the lean routes with body-parser's rules, as express.json()
// applies them to the other routes (strict, no inflation, a byte limit): the same errors, by
// the same type names (http-errors.ts BODY_ERRORS), so both paths answer alike.
import type { IncomingMessage } from "node:http";
import { TextDecoder } from "node:util";

/** The parsed body (undefined when the request has none), or the body-parser error type. */
export type JsonBody = { ok: true; value: unknown } | { ok: false; type: string };

const fail = (type: string): { ok: false; type: string } => ({ ok: false, type });
const FIRST_CHARACTER = /^[ \t\n\r]*([^ \t\n\r])/;
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)"?/i;

/**
 * Decoders by charset, made once: `decode` without `stream` keeps no state between calls. Only
 * charsets TextDecoder knows are kept, so a client cannot grow this with made-up names.
 */
const decoders = new Map<string, TextDecoder>();

/** A decoder for a `utf-*` charset (BOM stripped, as iconv-lite does); undefined if unknown. */
function decoderFor(charset: string): TextDecoder | undefined {
  const known = decoders.get(charset);
  if (known !== undefined) return known;
  try {
    const decoder = new TextDecoder(charset);
    decoders.set(charset, decoder);
    return decoder;
  } catch {
    return undefined;
  }
}

/** body-parser's `json({ strict: true })` parse of the decoded text. */
export function parseStrictJson(text: string): JsonBody {
  if (text.length === 0) return { ok: true, value: {} };
  const first = FIRST_CHARACTER.exec(text)?.[1];
  if (first !== "{" && first !== "[") return fail("entity.parse.failed");
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return fail("entity.parse.failed");
  }
}

function checkHeaders(
  req: IncomingMessage,
  limit: number,
): { ok: false; type: string } | TextDecoder | undefined {
  const type = req.headers["content-type"];
  // The common spelling names no charset: UTF-8, without a pattern run.
  const charset =
    type === "application/json"
      ? "utf-8"
      : (CHARSET.exec(type ?? "")?.[1] ?? "utf-8").toLowerCase();
  if (!charset.startsWith("utf-")) return fail("charset.unsupported");
  const encoding = (req.headers["content-encoding"] ?? "identity").toLowerCase();
  if (encoding !== "identity") return fail("encoding.unsupported");
  const length = req.headers["content-length"];
  const hasBody =
    req.headers["transfer-encoding"] !== undefined ||
    (length !== undefined && !Number.isNaN(Number(length)));
  if (!hasBody) return undefined;
  if (length !== undefined && Number(length) > limit) return fail("entity.too.large");
  return decoderFor(charset) ?? fail("encoding.unsupported");
}

/** The decoded body (undefined when the request has none), or the body-parser error type. */
export type BodyText = { ok: true; text: string | undefined } | { ok: false; type: string };

/**
 * Reads and parses the body of `req` (at most `limit` bytes) and calls `done` once. Requests
 * without a body (no Content-Length, no Transfer-Encoding) give `undefined`, as body-parser.
 */
export function readJsonBody(
  req: IncomingMessage,
  limit: number,
  done: (body: JsonBody) => void,
): void {
  readBodyText(req, limit, (body) => {
    if (!body.ok) done(body);
    else if (body.text === undefined) done({ ok: true, value: undefined });
    else done(parseStrictJson(body.text));
  });
}

/**
 * `readJsonBody` up to the parse: the decoded text, after the same checks, for a route that
 * reads it itself before (or instead of) `parseStrictJson`.
 */
export function readBodyText(
  req: IncomingMessage,
  limit: number,
  done: (body: BodyText) => void,
): void {
  const checked = checkHeaders(req, limit);
  if (!(checked instanceof TextDecoder)) {
    done(checked ?? { ok: true, text: undefined });
    return;
  }
  const declared = req.headers["content-length"];
  const chunks: Buffer[] = [];
  let received = 0;
  let finished = false;
  const finish = (body: BodyText): void => {
    if (finished) return;
    finished = true;
    if (!body.ok) req.pause();
    done(body);
  };
  req.on("data", (chunk: Buffer) => {
    received += chunk.length;
    if (received > limit) finish(fail("entity.too.large"));
    else if (!finished) chunks.push(chunk);
  });
  req.on("end", () => {
    if (declared !== undefined && Number(declared) !== received) {
      finish(fail("request.size.invalid"));
      return;
    }
    const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    finish({ ok: true, text: checked.decode(bytes) });
  });
  req.on("aborted", () => finish(fail("request.aborted")));
  req.on("error", () => finish(fail("request.aborted")));
}
