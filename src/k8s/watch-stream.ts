// Reads a watch response: newline-delimited JSON events.
import type { IncomingMessage } from "node:http";
import type { KubeObject } from "./object.ts";

/** One watch event as the API server sends it. */
export interface WatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: KubeObject & { code?: number; message?: string };
}

/** Yields each event of a watch response until the server ends it. */
export async function* watchEvents(res: IncomingMessage): AsyncGenerator<WatchEvent> {
  res.setEncoding("utf8");
  let buffered = "";
  for await (const chunk of res) {
    buffered += chunk as string;
    let newline: number;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line) yield JSON.parse(line) as WatchEvent;
    }
  }
}
