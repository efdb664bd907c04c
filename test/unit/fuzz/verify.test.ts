// Fuzzing /verify over HTTPS (methods, sub-paths, Authorization schemes, spacing, look-alike tokens, odd and
// oversized queries), and raw bytes written as the whole HTTP request onto the TLS socket.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rawHttpRequest, verifyCall } from "./arbitraries/requests.ts";
import { PROPERTY_TIMEOUT_MS, useFuzzSession } from "./fuzz-session.ts";
import { expectedIdentity, expectSafeAnswer, sendRaw } from "./fuzz-world.ts";

const RUNS = { verify: 2_000, rawRequest: 300 };
const session = useFuzzSession("/verify and raw HTTP requests");

describe("fuzzing /verify", () => {
  it(
    "odd Authorization headers and queries",
    async () => {
      await fc.assert(
        fc.asyncProperty(verifyCall(session.known), async (c) => {
          const headers: Record<string, string> =
            c.authorization === undefined ? {} : { Authorization: c.authorization };
          const answer = await session.send({ method: c.method, path: c.path, headers });
          expectSafeAnswer(session.world, answer, [c.token]);
          expect([200, 400, 401, 414, 431]).toContain(answer.status);
          if (answer.status !== 200) return;
          // HTTP drops leading and trailing spaces and tabs of a header value.
          const sent = (c.authorization ?? "").replace(/^[ \t]+|[ \t]+$/g, "");
          const credential = /^Bearer +(\S+) *$/i.exec(sent)?.[1];
          // Under a sub-path the query is the client's: never read.
          const audiences = c.subPath
            ? []
            : new URL(c.path, "https://x").searchParams.getAll("audience");
          expect(answer.headers["x-auth-request-user"]).toBe(
            expectedIdentity(session.world.tokens, credential, audiences),
          );
        }),
        session.params(RUNS.verify),
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    "raw HTTP requests written straight onto the TLS socket",
    async () => {
      await fc.assert(
        fc.asyncProperty(rawHttpRequest(), async (bytes) => {
          session.count();
          expectSafeAnswer(session.world, await sendRaw(session.world, session.pki, bytes));
        }),
        session.params(RUNS.rawRequest),
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});
