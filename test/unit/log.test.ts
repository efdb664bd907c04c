import { describe, expect, it } from "vitest";
import { createLogger, scrubTokens } from "../../src/log.ts";
import { generateToken, TOKEN_PATTERN } from "../../src/tokens/index.ts";
import type { Logger } from "pino";

/** A logger whose output lands in `lines`. */
function captured(level = "info"): { log: Logger; lines: string[]; output: () => string } {
  const lines: string[] = [];
  const log = createLogger(level, { write: (line: string) => void lines.push(line) });
  return { log, lines, output: () => lines.join("") };
}

const b64 = (text: string): string => Buffer.from(text).toString("base64");

describe("the logger never writes a token value", () => {
  const value = generateToken();

  it.each<{ name: string; write: (log: Logger) => void }>([
    { name: "in the message", write: (log) => log.info(`authenticating with ${value}`) },
    { name: "glued to other text", write: (log) => log.info(`x${value}y`) },
    { name: "in a format argument", write: (log) => log.info("got %s", value) },
    { name: "in a top-level field", write: (log) => log.info({ token: value }, "issued") },
    {
      name: "in a nested field",
      write: (log) => log.info({ request: { body: { spec: { value } } } }, "x"),
    },
    { name: "in an array", write: (log) => log.info({ values: ["a", value] }, "x") },
    {
      name: "in authorization",
      write: (log) => log.info({ authorization: `Bearer ${value}` }, "x"),
    },
    {
      name: "in request headers",
      write: (log) => log.info({ req: { headers: { authorization: `Bearer ${value}` } } }, "x"),
    },
    { name: "in Secret data (plain)", write: (log) => log.info({ data: { token: value } }, "x") },
    {
      name: "in a Secret's data",
      write: (log) => log.info({ secret: { data: { token: value } } }, "x"),
    },
    {
      name: "in stringData",
      write: (log) => log.info({ secret: { stringData: { token: value } } }, "x"),
    },
    {
      name: "in an error message",
      write: (log) => log.error({ err: new Error(`bad token ${value}`) }, "x"),
    },
    { name: "in a child logger's bindings", write: (log) => log.child({ value }).warn("x") },
  ])("$name", ({ write }) => {
    const { log, lines, output } = captured();
    write(log);
    expect(lines).toHaveLength(1);
    expect(output()).not.toContain(value);
    expect(output()).not.toMatch(TOKEN_PATTERN);
    expect(output()).toMatch(/\[REDACTED(-TOKEN)?\]/);
  });

  it.each<{ name: string; write: (log: Logger, encoded: string) => void }>([
    { name: "data", write: (log, encoded) => log.info({ data: { token: encoded } }, "x") },
    {
      name: "a Secret's data",
      write: (log, encoded) => log.info({ secret: { data: { token: encoded } } }, "x"),
    },
    { name: "token", write: (log, encoded) => log.info({ token: encoded }, "x") },
    {
      name: "a nested token",
      write: (log, encoded) => log.info({ delivery: { token: encoded } }, "x"),
    },
  ])("base64-encoded in $name (not token-shaped, so redacted by path)", ({ write }) => {
    const encoded = b64(value);
    const { log, output } = captured();
    write(log, encoded);
    expect(output()).not.toContain(encoded);
    expect(output()).toContain("[REDACTED]");
  });
});

describe("the logger keeps what is safe to read", () => {
  it("writes ordinary strings, log fields and look-alikes that are not token-shaped", () => {
    const { log, output } = captured();
    log
      .child({ kind: "ServiceToken", namespace: "prod", name: "ci", tokenId: "0123456789abcdef" })
      .info({ username: "ci-bot@service", note: "svct_short" }, "token generated");
    const entry = JSON.parse(output()) as Record<string, unknown>;
    expect(entry).toMatchObject({
      level: 30,
      kind: "ServiceToken",
      namespace: "prod",
      name: "ci",
      tokenId: "0123456789abcdef",
      username: "ci-bot@service",
      note: "svct_short",
      msg: "token generated",
    });
    expect(typeof entry.time).toBe("string");
  });

  it("keeps the rest of a line that had a token scrubbed", () => {
    const { log, output } = captured();
    log.info({ namespace: "prod" }, `rejected ${generateToken()} for ci-bot@service`);
    const entry = JSON.parse(output()) as Record<string, unknown>;
    expect(entry.msg).toBe("rejected [REDACTED-TOKEN] for ci-bot@service");
    expect(entry.namespace).toBe("prod");
  });

  it("honours the level", () => {
    const { log, lines } = captured("warn");
    log.info("quiet");
    log.warn("loud");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("loud");
  });
});

describe("scrubTokens", () => {
  it.each([
    { name: "no token", count: 0 },
    { name: "one token", count: 1 },
    { name: "three tokens", count: 3 },
  ])("replaces every token in a line ($name)", ({ count }) => {
    const tokens = Array.from({ length: count }, () => generateToken());
    const scrubbed = scrubTokens(`start ${tokens.join(" and ")} end`);
    for (const token of tokens) expect(scrubbed).not.toContain(token);
    expect(scrubbed.split("[REDACTED-TOKEN]")).toHaveLength(count + 1);
    expect(scrubbed.startsWith("start ")).toBe(true);
    expect(scrubbed.endsWith(" end")).toBe(true);
  });
});
