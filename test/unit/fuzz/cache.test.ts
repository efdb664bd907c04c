// Fuzzing the webhook's caches as the informers feed them: objects that passed the API server
// (a name, maybe a namespace) but whose other fields are anything. Applying them never throws,
// deciding never throws, and once they are gone and the real objects are back, every known
// value authenticates exactly as before: no garbage object leaves a trace in the indexes.
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../../../src/k8s/object.ts";
import { decideAuthentication } from "../../../src/webhook/authn/decide.ts";
import type { CachedFacts } from "../../../src/webhook/cache/cached-facts.ts";
import { factsOf, NOW, OPERATOR_NAMESPACE } from "../webhook/fixtures.ts";
import { secretObject, serviceTokenObject, serviceUserObject } from "./arbitraries/objects.ts";
import { presentedToken } from "./arbitraries/tokens.ts";
import { fuzzSettings, fuzzSummary } from "./fuzz-settings.ts";
import { fuzzWorldObjects, type FuzzWorldObjects } from "./fuzz-world.ts";

const RUNS = 600;
const settings = fuzzSettings();
const world: FuzzWorldObjects = fuzzWorldObjects();
let inputs = 0;

afterAll(() => {
  process.stdout.write(fuzzSummary("webhook caches", inputs, settings));
});

type Kind = "user" | "token" | "record";
interface CacheEvent {
  kind: Kind;
  object: KubeObject;
}

/** The names the world's objects have, so garbage lands on them as often as beside them. */
const names: Record<Kind, string[]> = {
  user: world.users.map((o) => o.metadata?.name ?? ""),
  token: world.tokens.map((o) => o.metadata?.name ?? ""),
  record: world.records.map((o) => o.metadata?.name ?? ""),
};

function cacheEvent(kind: Kind, objects: fc.Arbitrary<unknown>): fc.Arbitrary<CacheEvent> {
  const name = fc.oneof(fc.constantFrom(...names[kind]), fc.string({ maxLength: 12 }));
  const namespace = kind === "token" ? "prod" : kind === "record" ? OPERATOR_NAMESPACE : undefined;
  return fc.tuple(objects, name).map(([raw, objectName]) => {
    const base = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>) : {};
    const metadata =
      typeof base.metadata === "object" && base.metadata !== null ? base.metadata : {};
    // What the API server guarantees: a name (and a namespace for namespaced kinds), labels
    // and annotations that map strings to strings, and a Secret's data as base64 strings.
    const meta = metadata as Record<string, unknown>;
    const object = {
      ...base,
      metadata: {
        ...meta,
        name: objectName,
        namespace,
        labels: stringsOnly(meta.labels),
        annotations: stringsOnly(meta.annotations),
      },
      ...(kind === "record" ? { data: stringsOnly(base.data) } : {}),
    } as KubeObject;
    return { kind, object };
  });
}

function stringsOnly(map: unknown): Record<string, string> | undefined {
  if (typeof map !== "object" || map === null || Array.isArray(map)) return undefined;
  const entries = Object.entries(map).filter(
    (entry): entry is [string, string] => typeof entry[1] === "string",
  );
  return Object.fromEntries(entries);
}

const apply = (
  facts: CachedFacts,
  kind: Kind,
  type: "upsert" | "delete",
  object: KubeObject,
): void => {
  const event = { type, object };
  if (kind === "user") facts.applyServiceUser(event);
  else if (kind === "token") facts.applyServiceToken(event);
  else facts.applyHashRecord(event);
};

/** Who each value authenticates as, with and without the scim audience. */
function identities(facts: CachedFacts, values: readonly string[]): (string | undefined)[] {
  return values.flatMap((value) =>
    [[], ["scim"]].map((audiences) => {
      const decision = decideAuthentication(value, audiences, facts, NOW);
      return decision.authenticated ? decision.user.username : undefined;
    }),
  );
}

describe("fuzzing the webhook caches", () => {
  it("garbage objects applied and removed leave every decision as it was", () => {
    const baseline = identities(factsOf(world), world.values);
    const events = fc.array(
      fc.oneof(
        cacheEvent("user", serviceUserObject(world.values)),
        cacheEvent("token", serviceTokenObject(world.values)),
        cacheEvent("record", secretObject(world.values)),
      ),
      { minLength: 1, maxLength: 10 },
    );
    fc.assert(
      fc.property(
        events,
        fc.array(presentedToken(world.values), { maxLength: 4 }),
        (garbage, probes) => {
          inputs += 1;
          const facts = factsOf(world);
          for (const { kind, object } of garbage) apply(facts, kind, "upsert", object);
          // Whatever the caches hold now, deciding never throws.
          identities(facts, [...world.values, ...probes]);
          for (const { kind, object } of garbage) apply(facts, kind, "delete", object);
          for (const object of world.users) apply(facts, "user", "upsert", object);
          for (const object of world.tokens) apply(facts, "token", "upsert", object);
          for (const object of world.records) apply(facts, "record", "upsert", object);
          expect(identities(facts, world.values)).toEqual(baseline);
        },
      ),
      { seed: settings.seed, numRuns: settings.runs(RUNS) },
    );
  }, 120_000);
});
