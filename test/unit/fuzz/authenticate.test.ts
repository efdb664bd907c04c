// Fuzzing POST /authenticate over HTTPS with TokenReviews of both versions: look-alike and
// real tokens, wrong types, huge and odd strings, a client claiming the answer. Never a 5xx or
// an echo; only the real values authenticate, in the version asked.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { tokenReviewBody, TOKEN_REVIEW_VERSIONS } from "./arbitraries/requests.ts";
import { JSON_TYPE, PROPERTY_TIMEOUT_MS, useFuzzSession } from "./fuzz-session.ts";
import { expectHonestReview, expectSafeAnswer } from "./fuzz-world.ts";

const RUNS_PER_VERSION = 2_250;
const session = useFuzzSession("POST /authenticate (v1, v1beta1)");

describe("fuzzing POST /authenticate", () => {
  it.each(TOKEN_REVIEW_VERSIONS)(
    "%s TokenReviews",
    async (version) => {
      await fc.assert(
        fc.asyncProperty(tokenReviewBody(version, session.known), async (body) => {
          const answer = await session.send({
            method: "POST",
            path: "/authenticate",
            headers: JSON_TYPE,
            body: JSON.stringify(body),
          });
          expectSafeAnswer(session.world, answer, [
            (body.spec as { token?: unknown } | null)?.token,
          ]);
          // A version the service does not answer is a 400, never a 5xx.
          expect([200, 400, 413]).toContain(answer.status);
          expectHonestReview(session.world, answer, body);
        }),
        session.params(RUNS_PER_VERSION),
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});
