// The lean parser against node's own (record 89): pipelined requests with hostile bytes put in,
// replaced or taken out. Every request the lean parser serves must be the request node's HTTP
// server reads at the same place — same method, target, Authorization and body length — so
// no byte sequence means one thing to the lean routes and another to node (no desync when a
// connection is handed over).
import fc from "fast-check";
import { createServer, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseLeanRequest } from "../../../src/webhook/http/lean/parse-request.ts";
import { fuzzSettings, fuzzSummary } from "./fuzz-settings.ts";

const LIMITS = { maxHeadBytes: 16 * 1024, maxBodyBytes: 64 * 1024 };
const RUNS = 1_000;
const settings = fuzzSettings();
let inputs = 0;
/** Inputs of which the lean parser served at least one request (the others are node's alone). */
let compared = 0;

const PLAIN = [
  "GET /verify HTTP/1.1\r\nHost: w\r\nAuthorization: Bearer t\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\nabc",
  "POST /authenticate?timeout=30s HTTP/1.1\r\nHost: w\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
  "HEAD /verify?group=a HTTP/1.1\r\nHost: w\r\nAuthorization: Bearer u\r\n\r\n",
];
/** What breaks parsers: line ends, controls, separators, obs-text, digits, signs. */
const HOSTILE = [
  "\r",
  "\n",
  "\r\n",
  "\r\n\r\n",
  "\t",
  " ",
  "\0",
  "\x0b",
  "\x7f",
  "\x80",
  "\xff",
  ":",
  ",",
  ";",
  '"',
  "+",
  "-",
  "0",
  "9",
  "a",
  "A",
];

/** Two or three plain requests in one write, then 1–4 edits: hostile bytes, repeated lines. */
const mutatedPipeline = fc
  .record({
    requests: fc.array(fc.constantFrom(...PLAIN), { minLength: 2, maxLength: 3 }),
    edits: fc.array(
      fc.record({
        // Unbiased: fast-check's default leans to 0, the request line's first byte.
        at: fc.noBias(fc.integer({ min: 0, max: 1_000_000 })),
        /** Half the edits land at a seam of the syntax (after a colon or space, at a line end). */
        seam: fc.boolean(),
        op: fc.constantFrom("insert", "replace", "delete", "repeat-line"),
        text: fc.constantFrom(...HOSTILE),
      }),
      { minLength: 1, maxLength: 4 },
    ),
  })
  .map(({ requests, edits }) => {
    let text = requests.join("");
    for (const { at, seam, op, text: piece } of edits) {
      const seams = [...text.matchAll(/[: ]|\r\n/g)].map((match) => match.index + 1);
      const index = seam ? (seams[at % seams.length] ?? 0) : at % text.length;
      if (op === "repeat-line") {
        // The line around `index` twice: repeated framing headers (Content-Length, Host…).
        const start = text.lastIndexOf("\r\n", index) + 2;
        const end = text.indexOf("\r\n", index);
        if (end > start)
          text = text.slice(0, end + 2) + text.slice(start, end + 2) + text.slice(end + 2);
        continue;
      }
      const keep = op === "insert" ? index : index + 1;
      text = text.slice(0, index) + (op === "delete" ? "" : piece) + text.slice(keep);
    }
    return Buffer.from(text, "latin1");
  });

/** What a request is, for comparing both parsers. */
const describeRequest = (method: string, target: string, auth: unknown, body: number): string =>
  `${method} ${target} auth=${JSON.stringify(auth)} body=${body}`;

/** The requests the lean parser serves from the start of `bytes`, in order. */
function servedByLean(bytes: Buffer): string[] {
  const served: string[] = [];
  for (let rest = bytes; rest.length > 0;) {
    const parsed = parseLeanRequest(rest, LIMITS);
    if (parsed.kind !== "request") break;
    const { method, path, query, authorization, body, length } = parsed.request;
    served.push(
      describeRequest(method, query ? `${path}?${query}` : path, authorization, body.length),
    );
    rest = rest.subarray(length);
  }
  return served;
}

let server: Server;
let seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = 0;
    req.on("data", (chunk: Buffer) => (body += chunk.length));
    req.on("end", () => {
      seen.push(describeRequest(req.method ?? "", req.url ?? "", req.headers.authorization, body));
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  process.stdout.write(
    fuzzSummary(`lean parser against node's (${compared} compared)`, inputs, settings),
  );
});

/** The requests node's server reads from `bytes`, once it has read `expected` or stopped. */
function readByNode(bytes: Buffer, expected: number): Promise<string[]> {
  seen = [];
  return new Promise((resolve) => {
    const socket = connect((server.address() as AddressInfo).port, "127.0.0.1", () =>
      socket.write(bytes),
    );
    const done = (): void => {
      clearInterval(poll);
      clearTimeout(limit);
      socket.destroy();
      resolve([...seen]);
    };
    const poll = setInterval(() => {
      if (seen.length >= expected) done();
    }, 1);
    const limit = setTimeout(done, 500);
    socket.on("close", () => setTimeout(done, 5));
    socket.on("data", () => undefined);
    socket.on("error", () => undefined);
  });
}

describe("the lean parser", () => {
  it("reads every request it serves where and as node's HTTP server reads it", async () => {
    await fc.assert(
      fc.asyncProperty(mutatedPipeline, async (bytes) => {
        inputs++;
        const lean = servedByLean(bytes);
        if (lean.length === 0) return;
        compared++;
        const node = await readByNode(bytes, lean.length);
        expect(node.slice(0, lean.length), JSON.stringify(bytes.toString("latin1"))).toEqual(lean);
      }),
      { seed: settings.seed, numRuns: settings.runs(RUNS) },
    );
  }, 60_000);
});
