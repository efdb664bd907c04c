import { describe, expect, it } from "vitest";
import { KubeApiError } from "../../../src/k8s/errors.ts";
import { PluginError, reportError, UsageError } from "../../../src/plugin/errors.ts";
import {
  parseOutputFormat,
  renderObjects,
  renderTable,
  statusKey,
} from "../../../src/plugin/output.ts";

const apiError = (status: number, reason: string, message: string): KubeApiError =>
  KubeApiError.fromResponse("PATCH", "/apis/x", status, JSON.stringify({ reason, message }));

describe("reportError", () => {
  it.each([
    [new UsageError("bad flag"), 2, "error: bad flag"],
    [new PluginError("refused", "do this"), 1, "error: refused\ndo this"],
    [
      apiError(
        403,
        "Forbidden",
        'admission webhook "resources.svctokens.dev" denied the request: no',
      ),
      1,
      "The svctokens admission webhook refused this",
    ],
    [apiError(403, "Forbidden", 'x is forbidden: User "a" cannot patch'), 1, "RBAC refused this"],
    [apiError(404, "NotFound", "gone"), 1, "error: gone\nCheck the name"],
    [apiError(409, "AlreadyExists", "taken"), 1, "The name is taken"],
    [apiError(422, "Invalid", "bad"), 1, "kubectl explain"],
    [new KubeApiError(0, "NoAnswer", "GET /x: ECONNREFUSED"), 1, "did not answer"],
  ])("%s → exit %i", (error, exitCode, text) => {
    const report = reportError(error);
    expect(report.exitCode).toBe(exitCode);
    expect(report.text).toContain(text);
    expect(report.text).not.toContain("    at "); // no stack for expected errors
  });

  it("prints the API server's message verbatim, without the request line", () => {
    const report = reportError(apiError(403, "Forbidden", "exact words"));
    expect(report.text.split("\n")[0]).toBe("error: exact words");
  });
});

describe("output", () => {
  it("renders kubectl-style tables and lists", () => {
    expect(
      renderTable(
        ["NAME", "STATUS"],
        [
          ["ci", "Active"],
          ["longer-name", "Revoked"],
        ],
      ),
    ).toBe("NAME         STATUS\nci           Active\nlonger-name  Revoked");
    expect(JSON.parse(renderObjects([{ a: 1 }], "json"))).toMatchObject({
      kind: "List",
      items: [{ a: 1 }],
    });
    expect(renderObjects([], "yaml")).toContain("items: []");
    expect(parseOutputFormat(undefined)).toBe("table");
    expect(() => parseOutputFormat("xml")).toThrow(UsageError);
    expect(statusKey("Active", false)).toBeUndefined();
    expect(statusKey("Active", true)).toContain("●");
  });
});
