// src/plugin/: the `kubectl svctokens` plugin (bin/kubectl-svctokens runs this file).
// Wiring only: build the command tree, run it, turn errors into messages and exit codes.
import { CommanderError } from "@commander-js/extra-typings";
import { namedVariable } from "../config.ts";
import { EXIT_OK, EXIT_USAGE, reportError } from "./errors.ts";
import { processIo } from "./session.ts";
import { buildProgram } from "./program.ts";

const io = processIo(namedVariable("NO_COLOR") === undefined);
try {
  await buildProgram(io).parseAsync(process.argv);
  process.exitCode = EXIT_OK;
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and --version end with code 0; every other parse problem is a usage error.
    process.exitCode = error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  } else {
    const report = reportError(error);
    io.err(report.text);
    process.exitCode = report.exitCode;
  }
}
