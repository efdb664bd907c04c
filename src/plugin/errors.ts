// What the plugin says when something goes wrong, and its exit codes: 0 success, 1 refused or
// failed (the API server's or webhook's own words, plus what to do), 2 usage error. Expected
// errors never show a stack trace.
import { KubeApiError } from "../k8s/errors.ts";

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** A refusal or failure the user can act on (exit 1); `hint` says what to do. */
export class PluginError extends Error {
  override readonly name = "PluginError";
  readonly hint: string | undefined;

  constructor(message: string, hint?: string) {
    super(message);
    this.hint = hint;
  }
}

/** The command line itself is wrong (exit 2). */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** What the plugin was doing, for hints that name the next command. */
export interface ErrorContext {
  /** e.g. `ServiceToken prod/ci`, `ServiceUser ci-bot`. */
  subject?: string;
  /** A command that lists what exists, shown when the object is not found. */
  listCommand?: string;
}

/** What to do after the API server refused or failed, by its Status reason. */
export function hintForApiError(error: KubeApiError, context: ErrorContext = {}): string {
  const message = error.serverMessage;
  if (error.status === 0) {
    return "The API server did not answer: check --context, --kubeconfig or KUBECONFIG, and that the cluster is up.";
  }
  if (error.status === 401) {
    return "The API server did not accept your credentials: log in again or check your kubeconfig.";
  }
  if (message.includes("denied the request")) {
    return "The svctokens admission webhook refused this; its message above says why and what to do instead.";
  }
  if (error.status === 403) {
    return "RBAC refused this: ask a cluster admin for access to svctokens.dev resources (the svctokens:admin ClusterRole for Admin actions).";
  }
  if (error.status === 404) {
    const list = context.listCommand ? `; see what exists with: ${context.listCommand}` : "";
    return `Check the name and the namespace (-n)${list}.`;
  }
  if (error.reason === "AlreadyExists") {
    return "The name is taken: choose another name, or delete the existing object first.";
  }
  if (error.status === 422 || error.status === 400) {
    return "The API server rejected the object as invalid: see kubectl explain servicetoken.spec / serviceuser.spec.";
  }
  if (error.status === 409) return "The object changed meanwhile: run the command again.";
  return "Run the command again; if it keeps failing, check the operator's health (kubectl get pods -n svctokens-system).";
}

/** The text printed for an error, and the exit code that goes with it. */
export interface Report {
  text: string;
  exitCode: number;
}

/** Turns anything thrown by a command into what the user sees (no stack for expected errors). */
export function reportError(error: unknown, context: ErrorContext = {}): Report {
  if (error instanceof UsageError) return { text: `error: ${error.message}`, exitCode: EXIT_USAGE };
  if (error instanceof PluginError) {
    const hint = error.hint ? `\n${error.hint}` : "";
    return { text: `error: ${error.message}${hint}`, exitCode: EXIT_FAILED };
  }
  if (error instanceof KubeApiError) {
    return {
      text: `error: ${error.serverMessage}\n${hintForApiError(error, context)}`,
      exitCode: EXIT_FAILED,
    };
  }
  // Not expected: show the stack so it can be reported.
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { text: `unexpected error: ${text}`, exitCode: EXIT_FAILED };
}
