// Error answers: a metav1.Status body (what kube-apiserver logs from a failing webhook) with a
// short reason, and never anything from the request.
import type { Response } from "express";

const REASONS: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  413: "RequestEntityTooLarge",
  415: "UnsupportedMediaType",
  500: "InternalError",
  503: "ServiceUnavailable",
};

/** Sends a Status error with `code` and `message`. */
export function sendStatus(res: Response, code: number, message: string): void {
  res
    .status(code)
    .set("Cache-Control", "no-store")
    .json({
      apiVersion: "v1",
      kind: "Status",
      status: "Failure",
      code,
      reason: REASONS[code] ?? "Unknown",
      message,
    });
}
