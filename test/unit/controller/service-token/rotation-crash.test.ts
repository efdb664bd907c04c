// Every crash point of a rotation, on a model of the token's world: the writes of one step are
// cut after each prefix (as a SIGKILL would), then a fresh controller runs decideRotation to
// convergence. The model's writes follow rotation.ts: pin (status), previous record, current
// record, delivery Secret; retire deletes the previous record, then the pin. At every point:
// at most two live values, and the delivery Secret's value among them.
import { describe, expect, it } from "vitest";
import {
  decideRotation,
  type HeldValue,
  type RotationStep,
} from "../../../../src/controller/service-token/rotation-plan.ts";

const NOW = new Date("2026-03-01T12:00:00Z");
const OVERLAP_MS = 60 * 60 * 1000;
const iso = (ms: number): string => new Date(ms).toISOString();

interface World {
  now: number;
  tokenId: string;
  previousTokenId?: string | undefined;
  previousValueExpiresAt?: string | undefined;
  currentValueCreatedAt: string;
  lastRotationRequest?: string | undefined;
  requestedAt?: string | undefined;
  delivery: string | undefined;
  currentRecord: string | undefined;
  previousRecord: string | undefined;
}

type Write = (world: World) => void;

let counter = 0;
const freshId = (): string => `v${++counter}`;
const held = (id: string | undefined): HeldValue =>
  id === undefined ? { kind: "missing" } : { kind: "ours", tokenId: id };

function step(world: World): RotationStep {
  return decideRotation({
    now: new Date(world.now),
    active: true,
    clientTokenId: undefined,
    status: { ...world, createdAt: iso(NOW.getTime() - 86_400_000) },
    requestedAt: world.requestedAt,
    everyDays: undefined,
    delivery: held(world.delivery),
    currentRecord: held(world.currentRecord),
    previousRecord: held(world.previousRecord),
  });
}

/** The writes rotation.ts makes for a step, in its order. */
function writesOf(world: World, next: RotationStep): Write[] {
  switch (next.kind) {
    case "start":
    case "resume": {
      const value = freshId(); // a generated value lives only in memory until delivered
      const outgoing = next.kind === "resume" ? world.delivery : world.currentRecord;
      const until = iso(world.now + OVERLAP_MS);
      return [
        (w) => {
          if (next.kind === "start") {
            w.previousTokenId = outgoing;
            w.lastRotationRequest = w.requestedAt;
          }
          w.previousValueExpiresAt =
            next.kind === "resume" && w.previousValueExpiresAt! > until
              ? w.previousValueExpiresAt
              : until;
          w.tokenId = value;
          w.currentValueCreatedAt = iso(w.now);
        },
        (w) => (w.previousRecord = outgoing),
        (w) => (w.currentRecord = value),
        (w) => (w.delivery = value),
      ];
    }
    case "retire":
      return [
        (w) => (w.previousRecord = undefined),
        (w) => {
          w.previousTokenId = undefined;
          w.previousValueExpiresAt = undefined;
        },
      ];
    case "clean":
      return [(w) => (w.previousRecord = undefined)];
    case "none":
    case "blocked":
      return [];
  }
}

/** Values the webhook accepts: pinned (previous only inside the overlap) and recorded. */
function liveValues(w: World): Set<string> {
  const pinned = [w.tokenId];
  if (w.previousTokenId && w.previousValueExpiresAt && w.now < Date.parse(w.previousValueExpiresAt))
    pinned.push(w.previousTokenId);
  return new Set(pinned.filter((id) => id === w.currentRecord || id === w.previousRecord));
}

function expectSafe(w: World, where: string): void {
  const live = liveValues(w);
  expect(live.size, where).toBeLessThanOrEqual(2);
  expect(w.delivery !== undefined && live.has(w.delivery), `${where}: delivered value live`).toBe(
    true,
  );
}

/** A fresh controller runs until nothing is left to do; every write is checked. */
function converge(w: World, where: string): void {
  for (let round = 0; round < 10; round++) {
    const next = step(w);
    if (next.kind === "none") return;
    for (const write of writesOf(w, next)) {
      write(w);
      expectSafe(w, `${where}, converging (${next.kind})`);
    }
  }
  throw new Error(`${where}: no convergence`);
}

function settled(overrides: Partial<World> = {}): World {
  return {
    now: NOW.getTime(),
    tokenId: "a",
    currentValueCreatedAt: iso(NOW.getTime() - 3_600_000),
    delivery: "a",
    currentRecord: "a",
    previousRecord: undefined,
    ...overrides,
  };
}

describe("a rotation killed at any write", () => {
  const scenarios: { name: string; world: () => World }[] = [
    { name: "first rotation", world: () => settled({ requestedAt: iso(NOW.getTime()) }) },
    {
      name: "second rotation inside the overlap",
      world: () =>
        settled({
          tokenId: "b",
          delivery: "b",
          currentRecord: "b",
          previousTokenId: "a",
          previousRecord: "a",
          previousValueExpiresAt: iso(NOW.getTime() + 1_800_000),
          requestedAt: iso(NOW.getTime()),
        }),
    },
    {
      name: "retirement at the overlap's end",
      world: () =>
        settled({
          tokenId: "b",
          delivery: "b",
          currentRecord: "b",
          previousTokenId: "a",
          previousRecord: "a",
          previousValueExpiresAt: iso(NOW.getTime()),
        }),
    },
  ];

  for (const scenario of scenarios) {
    const writes = writesOf(scenario.world(), step(scenario.world())).length;
    it.each(Array.from({ length: writes + 1 }, (_, k) => k))(
      `${scenario.name}: killed after %i writes, stays safe and converges`,
      (k) => {
        const world = scenario.world();
        expectSafe(world, "before");
        const first = step(world);
        expect(first.kind).not.toBe("none");
        for (const write of writesOf(world, first).slice(0, k)) {
          write(world);
          expectSafe(world, `after write ${k}`);
        }
        converge(world, `killed after ${k}`);
        expect(world.delivery).toBe(world.tokenId);
        expect(world.currentRecord).toBe(world.tokenId);
        expect(step(world)).toEqual({ kind: "none" });
        // Time passes: the previous value is retired, and nothing else happens.
        world.now += 2 * OVERLAP_MS;
        converge(world, `killed after ${k}, overlap over`);
        expect(world.previousTokenId).toBeUndefined();
        expect(world.previousRecord).toBeUndefined();
        expect(liveValues(world)).toEqual(new Set([world.tokenId]));
      },
    );
  }
});
