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

/** How a child was started, so it can be started again the same way. */
interface LaunchSpec {
  name: string;
  command: string;
  args: string[];
  logFile: string;
  env: NodeJS.ProcessEnv | undefined;
}

interface Child {
  proc: ChildProcess;
  managed: ManagedProcess;
  spec: LaunchSpec;
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
  readonly #children: Child[] = [];
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
    const child = launch({ name, command, args, logFile, env });
    this.#children.push(child);
    this.#writePidFile();
    return child.managed;
  }

  /**
   * Stops the child `name` (SIGTERM, then SIGKILL after `graceMs`), runs `whileStopped`, and
   * starts it again with the same command, arguments, environment and log file (so the same
   * ports and data directory). Fault tests use it to restart a control-plane component.
   */
  async restart(
    name: string,
    whileStopped: () => Promise<void> = () => Promise.resolve(),
    graceMs = 10_000,
  ): Promise<ManagedProcess> {
    const index = this.#children.findIndex((child) => child.spec.name === name);
    const child = this.#children[index];
    if (child === undefined) throw new Error(`no process named ${name} was started`);
    await stopChild(child, graceMs);
    const startAgain = (): ManagedProcess => {
      const next = launch(child.spec);
      this.#children[index] = next; // same place: stopAll keeps the reverse start order
      this.#writePidFile();
      return next.managed;
    };
    try {
      await whileStopped();
    } catch (error) {
      startAgain();
      throw error;
    }
    return startAgain();
  }

  /** Stops children in reverse start order: SIGTERM, then SIGKILL after `graceMs`. */
  async stopAll(graceMs = 10_000): Promise<void> {
    for (const child of [...this.#children].reverse()) await stopChild(child, graceMs);
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

function launch(spec: LaunchSpec): Child {
  const fd = openSync(spec.logFile, "a");
  const proc = spawn(spec.command, spec.args, {
    detached: true,
    stdio: ["ignore", fd, fd],
    env: spec.env,
  });
  closeSync(fd);
  if (proc.pid === undefined) throw new Error(`could not start ${spec.name} (${spec.command})`);
  const exited = new Promise<number | string>((resolve) => {
    proc.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown"));
    proc.once("error", (error) => resolve(error.message));
  });
  let alive = true;
  void exited.then(() => (alive = false));
  const managed: ManagedProcess = {
    name: spec.name,
    pid: proc.pid,
    logFile: spec.logFile,
    exited,
    running: () => alive,
  };
  return { proc, managed, spec };
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has ended. */
async function stopChild({ proc, managed }: Child, graceMs: number): Promise<void> {
  if (!managed.running()) return;
  proc.kill("SIGTERM");
  const ended = await Promise.race([managed.exited.then(() => true), sleep(graceMs, false)]);
  if (!ended) {
    proc.kill("SIGKILL");
    await managed.exited;
  }
}
