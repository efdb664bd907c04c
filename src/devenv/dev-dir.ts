// The git-ignored `.dev/` folder where local runs leave kubeconfigs for people and scripts.
import { copyFile, mkdir, rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

/** The repository's `.dev/` folder. */
export const DEV_DIR = fileURLToPath(new URL("../../.dev/", import.meta.url));

/** A fresh folder for one local control plane's state, inside `.dev/`. */
export async function freshStateDir(name: string): Promise<string> {
  const dir = join(DEV_DIR, name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Copies a kubeconfig into `.dev/<name>.kubeconfig`; returns the new path. */
export async function publishKubeconfig(source: string, name: string): Promise<string> {
  const target = join(DEV_DIR, `${name}.kubeconfig`);
  await copyFile(source, target);
  return target;
}
