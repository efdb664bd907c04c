// The fuzzer's seed and size. Fixed by default so every CI run replays the same inputs; a
// person replays a reported failure or widens a run with SVCTOKENS_FUZZ_SEED and
// SVCTOKENS_FUZZ_SCALE. Test-only: the service's own configuration is src/config.ts.
import { z } from "zod";

/** The seed every run uses unless told otherwise. */
export const DEFAULT_FUZZ_SEED = 20_261_204;

const FuzzEnvironment = z.object({
  SVCTOKENS_FUZZ_SEED: z.coerce.number().int().optional(),
  /** Multiplies every property's number of runs (0.1 for a quick look, 10 for a long soak). */
  SVCTOKENS_FUZZ_SCALE: z.coerce.number().positive().optional(),
});

/** How one fuzz run is seeded and sized. */
export interface FuzzSettings {
  seed: number;
  scale: number;
  /** `base` runs, scaled. */
  runs(base: number): number;
}

export function fuzzSettings(env: NodeJS.ProcessEnv = process.env): FuzzSettings {
  const parsed = FuzzEnvironment.parse({
    SVCTOKENS_FUZZ_SEED: env.SVCTOKENS_FUZZ_SEED || undefined,
    SVCTOKENS_FUZZ_SCALE: env.SVCTOKENS_FUZZ_SCALE || undefined,
  });
  const scale = parsed.SVCTOKENS_FUZZ_SCALE ?? 1;
  return {
    seed: parsed.SVCTOKENS_FUZZ_SEED ?? DEFAULT_FUZZ_SEED,
    scale,
    runs: (base) => Math.max(1, Math.round(base * scale)),
  };
}

/** One line for the test output: how many inputs ran, and how to replay them. */
export function fuzzSummary(what: string, inputs: number, settings: FuzzSettings): string {
  return (
    `[fuzz] ${what}: ${inputs} generated inputs, seed ${settings.seed} ` +
    `(replay: SVCTOKENS_FUZZ_SEED=${settings.seed} SVCTOKENS_FUZZ_SCALE=${settings.scale})\n`
  );
}
