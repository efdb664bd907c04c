// Serving certificate, key and (optional) client CA from files, reloaded when they change:
// cert-manager and Secret volume updates rotate them under a running server.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createSecureContext, type SecureContextOptions } from "node:tls";
import type { Logger } from "pino";
import { errorMessage } from "../k8s/errors.ts";

/** Where the TLS material lives. */
export interface TlsFiles {
  certFile: string;
  keyFile: string;
  /** CA that signs client certificates accepted on /authenticate; none: no client auth. */
  clientCaFile?: string | undefined;
}

/** Reads the files into secure-context options; throws when a file cannot be read. */
export async function readTlsFiles(files: TlsFiles): Promise<SecureContextOptions> {
  const [cert, key, ca] = await Promise.all([
    readFile(files.certFile),
    readFile(files.keyFile),
    files.clientCaFile === undefined ? undefined : readFile(files.clientCaFile),
  ]);
  return { cert, key, ...(ca === undefined ? {} : { ca }) };
}

function fingerprint(options: SecureContextOptions): string {
  const hash = createHash("sha256");
  for (const part of [options.cert, options.key, options.ca]) {
    hash.update(part === undefined ? "-" : (part as Buffer)).update("\0");
  }
  return hash.digest("hex");
}

/**
 * Polls the files and hands a new, valid set to `apply`. Polling (rather than fs.watch) also
 * sees Kubernetes' symlink swaps, and a half-written rotation (a new certificate with the old
 * key) is skipped until the pair matches again.
 */
export class TlsReloader {
  readonly #files: TlsFiles;
  readonly #apply: (options: SecureContextOptions) => void;
  readonly #log: Logger;
  #current: string;
  /** The last set that failed, so a broken rotation is reported once, not every poll. */
  #rejected: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #checking = false;

  constructor(
    files: TlsFiles,
    initial: SecureContextOptions,
    apply: (options: SecureContextOptions) => void,
    log: Logger,
  ) {
    this.#files = files;
    this.#current = fingerprint(initial);
    this.#apply = apply;
    this.#log = log;
  }

  start(intervalMs: number): void {
    this.#timer ??= setInterval(() => void this.check(), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Reloads when the files changed and form a valid pair; true when it reloaded. */
  async check(): Promise<boolean> {
    if (this.#checking) return false;
    this.#checking = true;
    let next: string | undefined;
    try {
      const options = await readTlsFiles(this.#files);
      next = fingerprint(options);
      if (next === this.#current || next === this.#rejected) return false;
      createSecureContext(options); // throws on a key that does not match the certificate
      this.#apply(options);
      this.#current = next;
      this.#log.info("serving certificate reloaded");
      return true;
    } catch (error) {
      this.#rejected = next;
      this.#log.warn({ err: errorMessage(error) }, "TLS files unusable; keeping the current ones");
      return false;
    } finally {
      this.#checking = false;
    }
  }
}
