// Successes are logged per token and interval with a count: the first at once, the rest as one
// line when the interval ends; quiet tokens are forgotten; the counts add up to every success.
import { Writable } from "node:stream";
import type { Logger } from "pino";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../../../src/log.ts";
import { SuccessLog } from "../../../../src/webhook/authn/success-log.ts";
import { ManualClock } from "../../manual-clock.ts";

function world(writeLater = false): {
  log: SuccessLog;
  clock: ManualClock;
  lines: Record<string, unknown>[];
} {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done): void {
      for (const line of chunk.toString().split("\n").filter(Boolean)) {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  const clock = new ManualClock();
  const log = new SuccessLog({
    log: createLogger("info", sink),
    intervalMs: 10_000,
    clock,
    writeLater,
  });
  return { log, clock, lines };
}

const ci = {
  endpoint: "authenticate",
  tokenId: "0123456789abcdef",
  serviceToken: "prod/ci",
  serviceUser: "ci-bot",
  audiences: [],
};
const other = { ...ci, tokenId: "fedcba9876543210", serviceToken: "prod/other" };
const counts = (lines: Record<string, unknown>[], tokenId: string): unknown[] =>
  lines.filter((line) => line.tokenId === tokenId).map((line) => line.count);

describe("SuccessLog", () => {
  it("with writeLater, writes a success's line after the turn that noted it, in order", async () => {
    const { log, clock, lines } = world(true);
    log.start();
    log.note(ci);
    log.note(ci);
    log.note(other);
    // The answer goes first: nothing is written during the request's turn.
    expect(lines).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.map((line) => [line.tokenId, line.count])).toEqual([
      [ci.tokenId, 1],
      [other.tokenId, 1],
    ]);
    // The interval's count follows the first line; a stop writes what is queued at once.
    clock.advance(10_000);
    expect(counts(lines, ci.tokenId)).toEqual([1, 1]);
    clock.advance(10_000);
    log.note(ci);
    log.stop();
    expect(counts(lines, ci.tokenId)).toEqual([1, 1, 1]);
  });

  it("logs a token's first success at once and the rest of its interval as one count", () => {
    const { log, clock, lines } = world();
    log.start();
    for (let i = 0; i < 500; i++) log.note(ci);
    log.note(other);
    expect(counts(lines, ci.tokenId)).toEqual([1]);
    expect(lines[0]).toMatchObject({
      msg: "token authenticated",
      serviceUser: "ci-bot",
      serviceToken: "prod/ci",
      endpoint: "authenticate",
      audiences: [],
    });

    clock.advance(10_000);
    expect(counts(lines, ci.tokenId)).toEqual([1, 499]);
    expect(counts(lines, other.tokenId)).toEqual([1]);

    // A success a whole interval after the last line is logged at once, counting itself.
    for (let i = 0; i < 3; i++) log.note(ci);
    clock.advance(10_000);
    expect(counts(lines, ci.tokenId)).toEqual([1, 499, 3]);
    log.stop();
  });

  it("forgets quiet tokens, and stop writes what is pending", () => {
    const { log, clock, lines } = world();
    log.start();
    log.note(ci);
    clock.advance(10_000); // nothing pending: forgotten
    clock.advance(10_000);
    log.note(ci); // logged at once again
    log.note(ci);
    log.stop();
    expect(counts(lines, ci.tokenId)).toEqual([1, 1, 1]);
  });

  it("logs every success on its own line while told to (caches lagging)", () => {
    const lines: unknown[] = [];
    let lagging = false;
    const log = new SuccessLog({
      log: { info: (fields: unknown) => lines.push(fields) } as unknown as Logger,
      clock: new ManualClock(),
      logEachWhile: () => lagging,
    });
    log.note(ci);
    log.note(ci);
    lagging = true;
    log.note(ci);
    log.note(ci);
    expect(lines).toHaveLength(3);
  });

  it("keeps audience sets apart (a caller's audience shows on its own line)", () => {
    const { log, lines } = world();
    log.note(ci);
    log.note({ ...ci, audiences: ["scim"] });
    expect(lines.map((line) => line.audiences)).toEqual([[], ["scim"]]);
  });

  it("keeps endpoints and audience lists apart under one token id, and counts each", () => {
    const { log, clock, lines } = world();
    const shapes = [
      ci,
      { ...ci, endpoint: "verify" },
      { ...ci, audiences: ["a", "b"] },
      { ...ci, audiences: ["a b"] },
      { ...ci, audiences: ["b", "a"] },
      // The same token id under another ServiceToken (not made by the controller) stays apart.
      { ...ci, serviceToken: "prod/planted" },
    ];
    for (const shape of shapes) for (let i = 0; i < 3; i++) log.note(shape);
    expect(lines).toHaveLength(shapes.length);
    clock.advance(10_000);
    log.flush();
    const pending = lines
      .slice(shapes.length)
      .map((line) => [line.endpoint, line.serviceToken, line.audiences, line.count]);
    expect(pending).toHaveLength(shapes.length);
    expect(pending).toEqual(
      expect.arrayContaining(
        shapes.map((shape) => [shape.endpoint, shape.serviceToken, shape.audiences, 2]),
      ),
    );
  });
});
