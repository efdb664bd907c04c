// Foreground processes (controller, webhook, local control plane, `npm run dev`) stop cleanly
// on Ctrl-C or SIGTERM.
import type { Logger } from "pino";
import { errorMessage } from "./k8s/errors.ts";

/**
 * Waits for the first SIGINT or SIGTERM, runs `stop` with its name and settles as `stop` does.
 * A second signal while stopping exits at once (a control plane's watchdog still reaps children).
 */
export async function runUntilSignal(
  stop: (signal: NodeJS.Signals) => Promise<void>,
): Promise<void> {
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const onSignal = (received: NodeJS.Signals): void => {
      process.on("SIGINT", () => process.exit(130));
      process.on("SIGTERM", () => process.exit(143));
      resolve(received);
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  });
  await stop(signal);
}

/**
 * The end of a service process's main (controller, webhook): on the first signal logs
 * `stopping` with it, runs `stop`, and exits 0, or 1 (logged) if stopping failed.
 */
export async function serveUntilSignal(
  log: Logger,
  stopping: string,
  stop: () => Promise<void>,
): Promise<never> {
  try {
    await runUntilSignal(async (signal) => {
      log.info({ signal }, stopping);
      await stop();
    });
  } catch (error) {
    log.error({ err: errorMessage(error) }, "error while stopping");
    process.exit(1);
  }
  process.exit(0);
}
