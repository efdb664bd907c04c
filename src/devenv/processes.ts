// Child processes of the local control plane: output to log files (never to unread pipes),
// orderly stop, and a watchdog that kills them if this process dies without stopping them.
import { spawn, type ChildProcess } from "node:child_process";
import { openSync, closeSync, readFileSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

/** One started child process. */
export interface ManagedProcess {
  name: string;
  pid: number;
  logFile: string;
  /** Resolves with the exit code (or the signal name) once the process has ended. */
  exited: Promise<number | string>;
  /** True while the process is still running. */
  running(): boolean;
}

/** Last lines of a log file, to explain a failure. */
export function tailOf(file: string, lines = 30): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/**
 * The processes one control plane started. Every child runs in its own process group (so a
 * terminal's Ctrl-C reaches only us, and we stop them in order) and is listed in a pid file
 * that a detached watchdog reads to kill them should this process die abruptly (SIGKILL).
 */
export class ProcessGroup {
  readonly #children: { proc: ChildProcess; managed: ManagedProcess }[] = [];
  readonly #pidFile: string;
  readonly #watchdog: ChildProcess;
  readonly #onExit = (): void => this.killAllNow();

  constructor(pidFile: string) {
    this.#pidFile = pidFile;
    writeFileSync(pidFile, "");
    // Polls our pid; when we are gone, kills every pid listed. Detached and unref'd so it
    // neither receives our terminal's signals nor keeps our event loop alive.
    const script =
      'while kill -0 "$1" 2>/dev/null; do sleep 1; done; ' +
      'for p in $(cat "$2" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done';
    this.#watchdog = spawn("bash", ["-c", script, "watchdog", String(process.pid), pidFile], {
      detached: true,
      stdio: "ignore",
    });
    this.#watchdog.unref();
    process.once("exit", this.#onExit);
  }

  /** Starts `command` with stdout and stderr appended to `logFile`. */
  start(
    name: string,
    command: string,
    args: string[],
    logFile: string,
    env?: NodeJS.ProcessEnv,
  ): ManagedProcess {
    const fd = openSync(logFile, "a");
    const proc = spawn(command, args, { detached: true, stdio: ["ignore", fd, fd], env });
    closeSync(fd);
    if (proc.pid === undefined) throw new Error(`could not start ${name} (${command})`);
    const exited = new Promise<number | string>((resolve) => {
      proc.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown"));
      proc.once("error", (error) => resolve(error.message));
    });
    let alive = true;
    void exited.then(() => (alive = false));
    const managed: ManagedProcess = {
      name,
      pid: proc.pid,
      logFile,
      exited,
      running: () => alive,
    };
    this.#children.push({ proc, managed });
    this.#writePidFile();
    return managed;
  }

  /** Stops children in reverse start order: SIGTERM, then SIGKILL after `graceMs`. */
  async stopAll(graceMs = 10_000): Promise<void> {
    for (const { proc, managed } of [...this.#children].reverse()) {
      if (!managed.running()) continue;
      proc.kill("SIGTERM");
      const ended = await Promise.race([managed.exited.then(() => true), sleep(graceMs, false)]);
      if (!ended) {
        proc.kill("SIGKILL");
        await managed.exited;
      }
    }
    this.#children.length = 0;
    this.#writePidFile();
    this.#watchdog.kill("SIGKILL");
    process.removeListener("exit", this.#onExit);
  }

  /** Last resort on process exit: synchronous, so it can only send SIGKILL. */
  killAllNow(): void {
    for (const { proc, managed } of this.#children) {
      if (managed.running()) proc.kill("SIGKILL");
    }
    this.#watchdog.kill("SIGKILL");
  }

  #writePidFile(): void {
    writeFileSync(this.#pidFile, this.#children.map(({ managed }) => managed.pid).join("\n"));
  }
}
