// Foreground processes (controller, webhook, local control plane, `npm run dev`) stop cleanly
// on Ctrl-C or SIGTERM.

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
