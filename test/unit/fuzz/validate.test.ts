// Fuzzing POST /validate over HTTPS with AdmissionReviews of valid-ish, mutated ServiceUsers,
// ServiceTokens and Secrets, and both JSON endpoints with raw bytes and spliced JSON.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { admissionReviewBody, CONTROLLER, rawBody } from "./arbitraries/requests.ts";
import { JSON_TYPE, PROPERTY_TIMEOUT_MS, useFuzzSession } from "./fuzz-session.ts";
import { expectHonestReview, expectSafeAnswer } from "./fuzz-world.ts";

const RUNS = { validate: 2_000, rawBody: 1_200 };
const session = useFuzzSession("POST /validate and raw bodies");

interface SentRequest {
  uid: unknown;
  operation: unknown;
  subResource?: unknown;
  resource: { group: string };
  userInfo: { username?: unknown };
}

describe("fuzzing POST /validate", () => {
  it(
    "AdmissionReviews of valid-ish, mutated objects",
    async () => {
      await fc.assert(
        fc.asyncProperty(admissionReviewBody(session.known), async (body) => {
          const answer = await session.send({
            method: "POST",
            path: "/validate",
            headers: JSON_TYPE,
            body: JSON.stringify(body),
          });
          expectSafeAnswer(session.world, answer);
          // 429: a rate limit on requests that cost a SubjectAccessReview is a documented refusal.
          expect([200, 400, 413, 429]).toContain(answer.status);
          if (answer.status !== 200) return;
          const request = body.request as SentRequest;
          const review = JSON.parse(answer.text) as {
            response: { uid: unknown; allowed: unknown };
          };
          expect(review.response.uid).toBe(request.uid);
          expect(typeof review.response.allowed).toBe("boolean");
          // Creating a ServiceUser or ServiceToken is an Admin action, whatever else was sent.
          const guardedCreate =
            request.operation === "CREATE" &&
            !request.subResource &&
            request.resource.group === "svctokens.dev" &&
            !["root", CONTROLLER].includes(String(request.userInfo.username));
          if (guardedCreate) expect(review.response.allowed).toBe(false);
        }),
        session.params(RUNS.validate),
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    "raw bytes and spliced JSON to both JSON endpoints",
    async () => {
      const contentType = fc.oneof(
        { weight: 5, arbitrary: fc.constant("application/json") },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            "application/json; charset=utf-16",
            'application/json;charset="UTF-8"',
            "text/plain",
            "",
            "application/json, text/plain",
          ),
        },
      );
      const path = fc.constantFrom("/authenticate", "/validate");
      await fc.assert(
        fc.asyncProperty(path, contentType, rawBody(session.known), async (to, type, bytes) => {
          const headers: Record<string, string> = type === "" ? {} : { "Content-Type": type };
          const answer = await session.send({ method: "POST", path: to, headers, body: bytes });
          expectSafeAnswer(session.world, answer);
          if (to === "/authenticate") {
            expectHonestReview(session.world, answer, parsedOrUndefined(bytes));
          }
        }),
        session.params(RUNS.rawBody),
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

function parsedOrUndefined(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString()) as unknown;
  } catch {
    return undefined;
  }
}
