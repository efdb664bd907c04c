// Errors a reconciler throws to tell the work queue how to retry (anything else backs off).

/**
 * Retry soon, without growing the key's backoff: a write conflict with a newer
 * resourceVersion, which the next run (after a short delay for the cache to catch up) fixes.
 */
export class RequeueNowError extends Error {
  override readonly name = "RequeueNowError";
}

/**
 * Retrying cannot help (e.g. an invalid spec): the key is not run again until it is added
 * again, i.e. on its next watch event. Its backoff is reset.
 */
export class TerminalError extends Error {
  override readonly name = "TerminalError";
}
