// One fuzz test file's session: the fuzz world started before its properties, a check after
// each property that the service still answers valid requests correctly and logged nothing it
// must not, and a closing line with the number of inputs and the seed.
import fc from "fast-check";
import type { Agent } from "node:https";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { admissionRequest } from "../webhook/admission/fixtures.ts";
import { serviceUser } from "../webhook/fixtures.ts";
import {
  admissionReview,
  createTestPki,
  removePki,
  tokenReview,
  type TestPki,
} from "../webhook/http/http-harness.ts";
import { fuzzSettings, fuzzSummary, type FuzzSettings } from "./fuzz-settings.ts";
import {
  expectCleanLog,
  fuzzAgent,
  send,
  startFuzzWorld,
  type FuzzRequest,
  type FuzzWorld,
  type RawAnswer,
} from "./fuzz-world.ts";

/** A property's runs may take this long on a busy machine. */
export const PROPERTY_TIMEOUT_MS = 300_000;
export const JSON_TYPE = { "Content-Type": "application/json" };

export interface FuzzSession {
  readonly settings: FuzzSettings;
  readonly world: FuzzWorld;
  readonly pki: TestPki;
  /** The real token values of the world. */
  readonly known: string[];
  /** Sends one request on the session's keep-alive connection and counts it as an input. */
  send(request: FuzzRequest): Promise<RawAnswer>;
  /** Counts an input sent some other way (raw bytes). */
  count(): void;
  /** fast-check parameters: the seed and `runs` scaled. */
  params(runs: number): fc.Parameters<unknown>;
}

/** Registers the hooks of a fuzz file; `what` names it in the summary line. */
export function useFuzzSession(what: string): FuzzSession {
  const settings = fuzzSettings();
  let world: FuzzWorld | undefined;
  let pki: TestPki | undefined;
  let agent: Agent | undefined;
  let inputs = 0;
  let logFrom = 0;
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the fuzz session has not started");
    return value;
  };
  const session: FuzzSession = {
    settings,
    get world() {
      return started(world);
    },
    get pki() {
      return started(pki);
    },
    get known() {
      return started(world).tokens.values;
    },
    send: (request) => {
      inputs += 1;
      return send(started(world), started(pki), started(agent), request);
    },
    count: () => {
      inputs += 1;
    },
    params: (runs) => ({ seed: settings.seed, numRuns: settings.runs(runs) }),
  };

  beforeAll(async () => {
    pki = await createTestPki();
    world = await startFuzzWorld(pki);
    agent = fuzzAgent(pki);
  });

  afterEach(async () => {
    await expectStillServes(session, started(agent));
    expectCleanLog(started(world), logFrom);
    logFrom = started(world).harness.logLines.length;
  });

  afterAll(async () => {
    agent?.destroy();
    await world?.harness.stop();
    if (pki) await removePki(pki);
    process.stdout.write(fuzzSummary(what, inputs, settings));
  });
  return session;
}

/** A valid TokenReview, /verify and Admin create still get the right answers. */
async function expectStillServes(session: FuzzSession, agent: Agent): Promise<void> {
  const { world, pki } = session;
  const { ci } = world.tokens;
  const post = (path: string, body: unknown): Promise<RawAnswer> =>
    send(world, pki, agent, {
      method: "POST",
      path,
      headers: JSON_TYPE,
      body: JSON.stringify(body),
    });
  const review = await post("/authenticate", tokenReview(ci.value));
  expect(JSON.parse(review.text)).toMatchObject({
    status: { authenticated: true, user: { username: "ci-bot@service" } },
  });
  const verified = await send(world, pki, agent, {
    method: "GET",
    path: "/verify",
    headers: { Authorization: `Bearer ${ci.value}` },
  });
  expect(verified.status).toBe(200);
  const create = admissionRequest("CREATE", "serviceusers", {
    object: serviceUser("new-bot"),
    username: "root",
  });
  const admitted = await post("/validate", admissionReview(create));
  expect(JSON.parse(admitted.text)).toMatchObject({ response: { uid: create.uid, allowed: true } });
}
