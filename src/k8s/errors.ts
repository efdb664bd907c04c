// One error type for every failed Kubernetes API call, with the API's own reason and message.

/** A Kubernetes API call that answered with an error Status (or did not answer). */
export class KubeApiError extends Error {
  override readonly name = "KubeApiError";
  /** HTTP status; 0 when the request never got an answer. */
  readonly status: number;
  /** The Status `reason` (NotFound, Conflict, AlreadyExists, Forbidden, Invalid...). */
  readonly reason: string;
  /** The Status `message` as the API server (or an admission webhook) wrote it, verbatim. */
  readonly serverMessage: string;

  constructor(
    status: number,
    reason: string,
    message: string,
    options?: ErrorOptions & { serverMessage?: string },
  ) {
    super(message, options);
    this.status = status;
    this.reason = reason;
    this.serverMessage = options?.serverMessage ?? message;
  }

  /** Builds the error from an HTTP answer whose body should be a metav1.Status. */
  static fromResponse(method: string, path: string, status: number, body: string): KubeApiError {
    let reason = "Unknown";
    let message = body.slice(0, 500);
    try {
      const parsed = JSON.parse(body) as { reason?: unknown; message?: unknown };
      if (typeof parsed.reason === "string") reason = parsed.reason;
      if (typeof parsed.message === "string") message = parsed.message;
    } catch {
      // Not a Status object (a proxy's HTML page, say): keep the raw start of the body.
    }
    return new KubeApiError(status, reason, `${method} ${path}: ${status} ${message}`, {
      serverMessage: message,
    });
  }
}

const statusOf = (error: unknown): number | undefined =>
  error instanceof KubeApiError ? error.status : undefined;

/** The object does not exist (HTTP 404). */
export const isNotFound = (error: unknown): boolean => statusOf(error) === 404;
/** Optimistic-concurrency or apply conflict (HTTP 409, not AlreadyExists). */
export const isConflict = (error: unknown): boolean =>
  statusOf(error) === 409 && (error as KubeApiError).reason !== "AlreadyExists";
/** A create found the name taken (HTTP 409 AlreadyExists). */
export const isAlreadyExists = (error: unknown): boolean =>
  statusOf(error) === 409 && (error as KubeApiError).reason === "AlreadyExists";
/** A watch's resourceVersion is too old (HTTP 410): relist. */
export const isGone = (error: unknown): boolean => statusOf(error) === 410;

/** A readable one-liner for logs from anything thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
