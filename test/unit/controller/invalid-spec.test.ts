import { describe, expect, it } from "vitest";
import { InvalidObjectError, parseServiceToken } from "../../../src/api/index.ts";
import { SERVICE_TOKENS } from "../../../src/api/index.ts";
import type { ControllerContext } from "../../../src/controller/context.ts";
import { parseOrReportInvalid } from "../../../src/controller/invalid-spec.ts";
import { TerminalError } from "../../../src/controller/runtime/errors.ts";

/** A context whose only I/O, `rest.request`, is recorded. */
function recordingContext(): { ctx: ControllerContext; calls: unknown[][] } {
  const calls: unknown[][] = [];
  const ctx = {
    clock: { now: () => Date.parse("2026-01-01T00:00:00Z"), schedule: () => () => undefined },
    rest: { request: (...args: unknown[]) => (calls.push(args), Promise.resolve({})) },
  } as unknown as ControllerContext;
  return { ctx, calls };
}

const broken = {
  apiVersion: "svctokens.dev/v1alpha1",
  kind: "ServiceToken",
  metadata: { name: "t", namespace: "ns", generation: 3 },
  spec: { serviceUser: "UPPER_case!", expiresInDays: 0 },
};

describe("parseOrReportInvalid", () => {
  it("returns the parsed object and writes nothing when valid", async () => {
    const { ctx, calls } = recordingContext();
    const valid = { ...broken, spec: { serviceUser: "ci" } };
    const token = await parseOrReportInvalid(ctx, SERVICE_TOKENS, valid, parseServiceToken);
    expect(token.spec).toEqual({ serviceUser: "ci", revoked: false });
    expect(calls).toEqual([]);
  });

  it("reports Ready=False/InvalidSpec on the status subresource, then stops retrying", async () => {
    const { ctx, calls } = recordingContext();
    const attempt = parseOrReportInvalid(ctx, SERVICE_TOKENS, broken, parseServiceToken);
    await expect(attempt).rejects.toBeInstanceOf(TerminalError);
    await expect(attempt).rejects.toHaveProperty("cause", expect.any(InvalidObjectError));
    expect(calls).toHaveLength(1);
    const [method, path, body] = calls[0] ?? [];
    expect(method).toBe("PATCH");
    expect(path).toContain("/namespaces/ns/servicetokens/t/status");
    expect(body).toMatchObject({
      status: {
        observedGeneration: 3,
        conditions: [
          { type: "Ready", status: "False", reason: "InvalidSpec", observedGeneration: 3 },
          // A person must fix the object: kstatus (Flux) reads Stalled=True as Failed.
          { type: "Stalled", status: "True", reason: "InvalidSpec", observedGeneration: 3 },
        ],
      },
    });
    const message = (body as { status: { conditions: { message: string }[] } }).status.conditions[0]
      ?.message;
    expect(message).toMatch(/spec\.serviceUser/);
    expect(message).toMatch(/spec\.expiresInDays/);
  });

  it("does not write again when the status already says so", async () => {
    const { ctx, calls } = recordingContext();
    await parseOrReportInvalid(ctx, SERVICE_TOKENS, broken, parseServiceToken).catch(
      () => undefined,
    );
    const reported = (calls[0]?.[2] as { status: object }).status;
    const second = recordingContext();
    await parseOrReportInvalid(
      second.ctx,
      SERVICE_TOKENS,
      { ...broken, status: reported },
      parseServiceToken,
    ).catch(() => undefined);
    expect(second.calls).toEqual([]);
  });
});
