import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import { setImmediate as tick } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { watchEvents, type WatchEvent } from "../../../src/k8s/watch-stream.ts";

/** A response body that arrives in exactly these chunks, one at a time. */
function response(chunks: (string | Buffer)[]): IncomingMessage {
  async function* arrive(): AsyncGenerator<Buffer> {
    for (const chunk of chunks) {
      await tick();
      yield Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    }
  }
  return Readable.from(arrive(), { objectMode: false }) as unknown as IncomingMessage;
}

async function collect(chunks: (string | Buffer)[]): Promise<WatchEvent[]> {
  const events: WatchEvent[] = [];
  for await (const event of watchEvents(response(chunks))) events.push(event);
  return events;
}

const event = (type: WatchEvent["type"], name: string, rv: string): WatchEvent => ({
  type,
  object: { apiVersion: "v1", kind: "Secret", metadata: { name, resourceVersion: rv } },
});
const line = (e: WatchEvent): string => `${JSON.stringify(e)}\n`;

const A = event("ADDED", "a", "1");
const B = event("MODIFIED", "b", "2");
const C = event("DELETED", "c", "3");

describe("watchEvents", () => {
  it.each<{ name: string; chunks: string[]; events: WatchEvent[] }>([
    { name: "no body", chunks: [], events: [] },
    { name: "one event per chunk", chunks: [line(A), line(B), line(C)], events: [A, B, C] },
    {
      name: "several events in one chunk",
      chunks: [line(A) + line(B) + line(C)],
      events: [A, B, C],
    },
    {
      name: "an event split across chunks",
      chunks: [line(A).slice(0, 10), line(A).slice(10, 30), line(A).slice(30)],
      events: [A],
    },
    {
      name: "a chunk ending one event and starting the next",
      chunks: [line(A) + line(B).slice(0, 15), line(B).slice(15) + line(C)],
      events: [A, B, C],
    },
    {
      name: "newline arriving alone",
      chunks: [JSON.stringify(A), "\n", JSON.stringify(B), "\n"],
      events: [A, B],
    },
    {
      name: "blank lines",
      chunks: ["\n\n", line(A), "\n", "  \n", line(B) + "\n\n"],
      events: [A, B],
    },
    {
      name: "CRLF line endings",
      chunks: [`${JSON.stringify(A)}\r\n${JSON.stringify(B)}\r\n`],
      events: [A, B],
    },
    // The server ends every event with a newline: a cut-off tail is not an event.
    {
      name: "a truncated last event",
      chunks: [line(A), JSON.stringify(B).slice(0, 20)],
      events: [A],
    },
  ])("$name", async ({ chunks, events }) => {
    expect(await collect(chunks)).toEqual(events);
  });

  it("yields each event exactly as sent, ERROR events included", async () => {
    const error = {
      type: "ERROR",
      object: { kind: "Status", code: 410, message: "too old resource version: 1 (5)" },
    } as WatchEvent;
    const bookmark = event("BOOKMARK", "", "99");
    expect(await collect([line(bookmark), line(error)])).toEqual([bookmark, error]);
  });

  it("decodes a multi-byte character split between chunks", async () => {
    const withAccent = event("ADDED", "café-ünïcødé", "7");
    const bytes = Buffer.from(line(withAccent));
    const cut = bytes.indexOf(Buffer.from("é")) + 1; // inside the two bytes of "é"
    expect(await collect([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual([withAccent]);
  });

  it("throws on a line that is not JSON, after the events before it", async () => {
    const seen: WatchEvent[] = [];
    const read = async (): Promise<void> => {
      for await (const e of watchEvents(response([line(A), "<html>oops</html>\n", line(B)]))) {
        seen.push(e);
      }
    };
    await expect(read()).rejects.toThrow(SyntaxError);
    expect(seen).toEqual([A]);
  });
});
