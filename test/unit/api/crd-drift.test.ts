import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { renderCrdFiles } from "../../../src/api/crd/render.ts";

const REPO_ROOT = join(import.meta.dirname, "../../..");

it.each(renderCrdFiles())("$path is what `npm run gen:crds` writes", ({ path, content }) => {
  let committed: string;
  try {
    committed = readFileSync(join(REPO_ROOT, path), "utf8");
  } catch {
    throw new Error(`${path} is missing: run \`npm run gen:crds\``);
  }
  expect(committed, `${path} is out of date: run \`npm run gen:crds\``).toBe(content);
});
