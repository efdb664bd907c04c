// The one root logger. Secret material is redacted twice: by field path, and by scanning every
// line for anything shaped like a token, so a value that slips into a message never lands.
import { pino, type Logger, type LoggerOptions } from "pino";
import { TOKEN_PATTERN } from "./tokens/index.ts";

/** Field paths whose values never reach a log line. */
export const REDACTED_PATHS = [
  "token",
  "*.token",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "req.headers.authorization",
  "data",
  "*.data",
  "stringData",
  "*.stringData",
];

const tokenAnywhere = new RegExp(TOKEN_PATTERN.source, "g");

/** Replaces anything that looks like a token value with a marker. */
export function scrubTokens(line: string): string {
  return line.replace(tokenAnywhere, "[REDACTED-TOKEN]");
}

/** Options shared by the root logger and tests that capture log output. */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: "[REDACTED]" },
    hooks: { streamWrite: scrubTokens },
  };
}

/** Creates the process's root logger; components take child loggers from it. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return destination ? pino(loggerOptions(level), destination) : pino(loggerOptions(level));
}
