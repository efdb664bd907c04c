// Foreground runs for people and scripts: stop cleanly on Ctrl-C or SIGTERM.

/**
 * Resolves on the first SIGINT or SIGTERM, after `stop` has run. A second signal while
 * stopping exits at once (the process group's watchdog still reaps children).
 */
export async function runUntilSignal(stop: () => Promise<void>): Promise<void> {
  await new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) process.exit(130);
      stopping = true;
      process.stderr.write(`\nreceived ${signal}, stopping...\n`);
      stop().then(resolve, (error: unknown) => {
        process.stderr.write(`error while stopping: ${String(error)}\n`);
        resolve();
      });
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}
