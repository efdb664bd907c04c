// readJsonBody keeps one TextDecoder per charset: a decoder reused across requests must decode
// each body on its own (a BOM stripped every time, nothing carried over), and unknown charsets
// are refused every time without being kept.
import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { readJsonBody, type JsonBody } from "../../../../src/webhook/http/json-body.ts";

function read(body: Buffer, charset: string): Promise<JsonBody> {
  const req = Object.assign(Readable.from([body]), {
    headers: {
      "content-type": `application/json; charset=${charset}`,
      "content-length": String(body.length),
    },
  }) as unknown as IncomingMessage;
  return new Promise((resolve) => readJsonBody(req, 64 * 1024, resolve));
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const utf16le = (text: string): Buffer => Buffer.from(`\uFEFF${text}`, "utf16le");

describe("readJsonBody with a decoder kept per charset", () => {
  it("decodes every body on its own, BOM or not, in any order", async () => {
    const bodies: [Buffer, string, unknown][] = [
      [Buffer.concat([BOM, Buffer.from('{"a":1}')]), "utf-8", { a: 1 }],
      [Buffer.from('{"b":"ü"}'), "utf-8", { b: "ü" }],
      [Buffer.concat([BOM, Buffer.from('{"c":[]}')]), "UTF-8", { c: [] }],
      [utf16le('{"d":2}'), "utf-16le", { d: 2 }],
      [utf16le('{"e":3}'), "utf-16le", { e: 3 }],
      [Buffer.from('{"f":4}'), "utf-8", { f: 4 }],
    ];
    for (const [body, charset, value] of bodies) {
      expect(await read(body, charset)).toEqual({ ok: true, value });
    }
  });

  it("refuses a made-up utf- charset each time", async () => {
    for (let i = 0; i < 2; i++) {
      expect(await read(Buffer.from("{}"), "utf-x")).toEqual({
        ok: false,
        type: "encoding.unsupported",
      });
    }
  });
});
