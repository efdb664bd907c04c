import { describe, expect, it } from "vitest";
import {
  KubeApiError,
  errorMessage,
  isAlreadyExists,
  isConflict,
  isGone,
  isNotFound,
} from "../../../src/k8s/errors.ts";

const status = (code: number, reason: string, message: string): string =>
  JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", message, reason, code });

describe("KubeApiError.fromResponse", () => {
  it("takes reason and message from a metav1.Status body", () => {
    const path = "/api/v1/namespaces/prod/secrets/ci-token";
    const error = KubeApiError.fromResponse(
      "GET",
      path,
      404,
      status(404, "NotFound", 'secrets "ci-token" not found'),
    );
    expect(error).toBeInstanceOf(KubeApiError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("KubeApiError");
    expect(error.status).toBe(404);
    expect(error.reason).toBe("NotFound");
    expect(error.message).toBe(`GET ${path}: 404 secrets "ci-token" not found`);
  });

  it("keeps the start of a body that is not a Status (a proxy's HTML page)", () => {
    const html = `<html><head><title>502 Bad Gateway</title></head><body>${"x".repeat(1000)}</body></html>`;
    const error = KubeApiError.fromResponse("PATCH", "/apis/x", 502, html);
    expect(error.status).toBe(502);
    expect(error.reason).toBe("Unknown");
    expect(error.message).toBe(`PATCH /apis/x: 502 ${html.slice(0, 500)}`);
    expect(error.message).toContain("502 Bad Gateway");
    expect(error.message).not.toContain("</html>");
  });

  it.each([
    { name: "empty body", body: "", reason: "Unknown", message: "" },
    { name: "JSON null", body: "null", reason: "Unknown", message: "null" },
    { name: "JSON array", body: "[1]", reason: "Unknown", message: "[1]" },
    { name: "JSON string", body: '"oops"', reason: "Unknown", message: '"oops"' },
    {
      name: "Status without reason",
      body: JSON.stringify({ kind: "Status", message: "internal error" }),
      reason: "Unknown",
      message: "internal error",
    },
    {
      name: "non-string fields",
      body: JSON.stringify({ reason: 7, message: { a: 1 } }),
      reason: "Unknown",
      message: JSON.stringify({ reason: 7, message: { a: 1 } }),
    },
  ])("copes with $name", ({ body, reason, message }) => {
    const error = KubeApiError.fromResponse("GET", "/p", 500, body);
    expect(error.reason).toBe(reason);
    expect(error.message).toBe(`GET /p: 500 ${message}`);
  });
});

describe("error predicates", () => {
  const api = (code: number, reason: string): KubeApiError =>
    KubeApiError.fromResponse("GET", "/p", code, status(code, reason, "m"));

  it.each<{
    name: string;
    error: unknown;
    notFound: boolean;
    conflict: boolean;
    exists: boolean;
    gone: boolean;
  }>([
    {
      name: "404 NotFound",
      error: api(404, "NotFound"),
      notFound: true,
      conflict: false,
      exists: false,
      gone: false,
    },
    {
      name: "409 Conflict",
      error: api(409, "Conflict"),
      notFound: false,
      conflict: true,
      exists: false,
      gone: false,
    },
    {
      name: "409 AlreadyExists",
      error: api(409, "AlreadyExists"),
      notFound: false,
      conflict: false,
      exists: true,
      gone: false,
    },
    {
      name: "409 without a Status",
      error: new KubeApiError(409, "Unknown", "m"),
      notFound: false,
      conflict: true,
      exists: false,
      gone: false,
    },
    {
      name: "410 Expired",
      error: api(410, "Expired"),
      notFound: false,
      conflict: false,
      exists: false,
      gone: true,
    },
    {
      name: "403 Forbidden",
      error: api(403, "Forbidden"),
      notFound: false,
      conflict: false,
      exists: false,
      gone: false,
    },
    {
      name: "500",
      error: api(500, "InternalError"),
      notFound: false,
      conflict: false,
      exists: false,
      gone: false,
    },
    {
      name: "no answer (0)",
      error: new KubeApiError(0, "Unknown", "ECONNREFUSED"),
      notFound: false,
      conflict: false,
      exists: false,
      gone: false,
    },
    // Only KubeApiError counts: a look-alike does not.
    {
      name: "plain Error",
      error: new Error("404"),
      notFound: false,
      conflict: false,
      exists: false,
      gone: false,
    },
    {
      name: "look-alike object",
      error: { status: 404, reason: "NotFound" },
      notFound: false,
      conflict: false,
      exists: false,
      gone: false,
    },
    {
      name: "undefined",
      error: undefined,
      notFound: false,
      conflict: false,
      exists: false,
      gone: false,
    },
  ])("$name", ({ error, notFound, conflict, exists, gone }) => {
    expect({
      notFound: isNotFound(error),
      conflict: isConflict(error),
      exists: isAlreadyExists(error),
      gone: isGone(error),
    }).toEqual({ notFound, conflict, exists, gone });
  });
});

describe("errorMessage", () => {
  it.each([
    { error: new Error("boom"), message: "boom" },
    { error: new KubeApiError(404, "NotFound", "GET /p: 404 gone"), message: "GET /p: 404 gone" },
    { error: "a string", message: "a string" },
    { error: 42, message: "42" },
    { error: undefined, message: "undefined" },
  ])("$error → $message", ({ error, message }) => {
    expect(errorMessage(error)).toBe(message);
  });
});
