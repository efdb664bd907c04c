// How the plugin prints: kubectl-style tables (no borders, two spaces between columns),
// `-o json|yaml` as a kubectl List, and the status key coloured only on a terminal.
import Table from "cli-table3";
import { createColors } from "picocolors";
import { stringify } from "yaml";
import { UsageError } from "./errors.ts";

/** Where a command writes, and whether each stream is a terminal. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** stdout is a terminal: colours and the ● key. */
  colour: boolean;
}

/** `-o`: the table, the wide table, or the objects themselves. */
export type OutputFormat = "table" | "wide" | "json" | "yaml";

export function parseOutputFormat(text: string | undefined): OutputFormat {
  if (text === undefined) return "table";
  if (text === "wide" || text === "json" || text === "yaml") return text;
  throw new UsageError(`-o "${text}" is not an output format: use wide, json or yaml`);
}

/** Columns and rows as text; a kubectl-style table with upper-case headers. */
export function renderTable(headers: string[], rows: string[][]): string {
  const table = new Table({
    head: headers,
    chars: {
      top: "",
      "top-mid": "",
      "top-left": "",
      "top-right": "",
      bottom: "",
      "bottom-mid": "",
      "bottom-left": "",
      "bottom-right": "",
      left: "",
      "left-mid": "",
      mid: "",
      "mid-mid": "",
      right: "",
      "right-mid": "",
      middle: "  ",
    },
    style: { head: [], border: [], "padding-left": 0, "padding-right": 0, compact: true },
  });
  table.push(...rows);
  // cli-table3 pads the last column too; kubectl does not.
  return table
    .toString()
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n");
}

/** Objects as kubectl prints `-o json` / `-o yaml` for a list. */
export function renderObjects(items: unknown[], format: "json" | "yaml"): string {
  const list = { apiVersion: "v1", kind: "List", items, metadata: { resourceVersion: "" } };
  return format === "json" ? `${JSON.stringify(list, null, 4)}\n` : stringify(list);
}

const STATUS_COLOURS = { Active: "green", Revoked: "yellow", Expired: "red" } as const;

/**
 * The status key of a token or user: a coloured ● on a terminal (green Active, orange-ish
 * yellow Revoked or Deactivated, red Expired); undefined when the key column is left out.
 */
export function statusKey(status: string | undefined, colour: boolean): string | undefined {
  if (!colour) return undefined;
  const colours = createColors(true);
  const name =
    STATUS_COLOURS[status as keyof typeof STATUS_COLOURS] ??
    (status === "Deactivated" ? "yellow" : "dim");
  return colours[name]("●");
}
