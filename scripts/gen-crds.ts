// npm run gen:crds: writes deploy/crds/*.yaml from the zod schemas in src/api/.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { renderCrdFiles } from "../src/api/crd/render.ts";

const repoRoot = join(import.meta.dirname, "..");

for (const file of renderCrdFiles()) {
  const target = join(repoRoot, file.path);
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, file.content);
  process.stdout.write(`wrote ${file.path}\n`);
}
