// The file a token value is written to (`--output`): created new with mode 0600, never over an
// existing file, claimed before anything enters the cluster so a value is never lost.
import { open, rm, type FileHandle } from "node:fs/promises";
import { PluginError } from "./errors.ts";

/** An empty file claimed for a value; write it once the cluster took the hash. */
export interface SecretFile {
  path: string;
  write(value: string): Promise<void>;
  /** The cluster refused: remove the empty file again. */
  discard(): Promise<void>;
}

export async function claimSecretFile(path: string): Promise<SecretFile> {
  let handle: FileHandle;
  try {
    handle = await open(path, "wx", 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") {
      throw new PluginError(
        `${path} exists: refusing to overwrite it`,
        "Choose another file with --output FILE, or move the old one away.",
      );
    }
    throw new PluginError(`cannot create ${path}: ${(error as Error).message}`);
  }
  return {
    path,
    async write(value) {
      await handle.writeFile(`${value}\n`);
      await handle.close();
    },
    async discard() {
      await handle.close();
      await rm(path, { force: true });
    },
  };
}
