// Deferred metric updates read the same as a prom-client call per event: for any sequence of
// events and scrapes, the webhook's /metrics text equals that of a registry fed directly.
import { Counter, Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { DeferredCount, DeferredObservations } from "../../src/metrics-deferred.ts";
import { createWebhookMetrics, type AuthenticationEndpoint } from "../../src/webhook/metrics.ts";

/** The webhook's two authentication metrics as they were, fed one prom-client call per event. */
function directMetrics(): {
  registry: Registry;
  authentications: Counter<"endpoint" | "result" | "reason">;
  seconds: Histogram<"endpoint">;
} {
  const registry = new Registry();
  return {
    registry,
    authentications: new Counter({
      name: "svctokens_webhook_authentications_total",
      help: "Token authentications by endpoint, result and reason.",
      labelNames: ["endpoint", "result", "reason"],
      registers: [registry],
    }),
    seconds: new Histogram({
      name: "svctokens_webhook_authentication_duration_seconds",
      help: "Time to answer one authentication, from parsed request to answer.",
      labelNames: ["endpoint"],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
      registers: [registry],
    }),
  };
}

type Event =
  | { kind: "success"; endpoint: AuthenticationEndpoint; seconds: number }
  | { kind: "failure"; endpoint: AuthenticationEndpoint; seconds: number; reason: string }
  | { kind: "scrape" };

/** A deterministic mix: awkward float sums, both endpoints, failures between successes. */
function events(count: number): Event[] {
  let seed = 7;
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  return Array.from({ length: count }, (): Event => {
    const pick = next();
    const endpoint = next() < 0.6 ? "authenticate" : "verify";
    const seconds = next() ** 3 * 0.2 + 1e-7 * next();
    if (pick < 0.01) return { kind: "scrape" };
    if (pick < 0.2) return { kind: "failure", endpoint, seconds, reason: "revoked" };
    return { kind: "success", endpoint, seconds };
  });
}

describe("deferred authentication metrics", () => {
  it.each([
    ["a first failure before any success", 3],
    ["a few events", 40],
    ["more than one buffer of observations between scrapes", 5000],
  ])("expose the same text as a call per event: %s", async (_name, count) => {
    const deferred = createWebhookMetrics(false);
    const direct = directMetrics();
    const texts: [string, string][] = [];
    for (const event of events(count)) {
      if (event.kind === "scrape") {
        texts.push([await deferred.registry.metrics(), await direct.registry.metrics()]);
        continue;
      }
      // As runAuthentication: the duration first, then the count.
      deferred.authenticationSeries[event.endpoint].seconds.observe(event.seconds);
      direct.seconds.observe({ endpoint: event.endpoint }, event.seconds);
      if (event.kind === "success") {
        deferred.authenticationSeries[event.endpoint].successes.inc();
        direct.authentications.inc({ endpoint: event.endpoint, result: "success", reason: "" });
      } else {
        const labels = { endpoint: event.endpoint, result: "failure", reason: event.reason };
        deferred.authentications.inc(labels);
        direct.authentications.inc(labels);
      }
    }
    const deferredText = await deferred.registry.metrics();
    const directText = await direct.registry.metrics();
    const ours = (text: string): string =>
      text
        .split("\n")
        .filter((line) => line.includes("svctokens_webhook_authentication"))
        .join("\n");
    for (const [a, b] of [...texts, [deferredText, directText] as [string, string]]) {
      expect(ours(a)).toBe(ours(b));
    }
    expect(ours(deferredText)).toContain('result="success"');
  });

  it("reads as current from either metric's own get()", async () => {
    const metrics = createWebhookMetrics(false);
    for (let i = 0; i < 3; i++) metrics.authenticationSeries.verify.successes.inc();
    metrics.authenticationSeries.verify.seconds.observe(0.001);
    metrics.authenticationSeries.verify.seconds.observe(0.002);
    const counted = await metrics.authentications.get();
    expect(counted.values).toEqual([
      { value: 3, labels: { endpoint: "verify", result: "success", reason: "" } },
    ]);
    const observed = await metrics.authenticationSeconds.get();
    const count = observed.values.find(
      (value) => (value as { metricName?: string }).metricName?.endsWith("_count") === true,
    );
    expect(count?.value).toBe(2);
  });
});

describe("DeferredCount and DeferredObservations", () => {
  it("pass the first event at once and the rest at fold, in order", () => {
    const incs: (number | undefined)[] = [];
    const count = new DeferredCount({ inc: (value) => incs.push(value) });
    count.inc();
    count.inc();
    count.inc();
    expect(incs).toEqual([undefined]);
    count.fold();
    count.fold();
    expect(incs).toEqual([undefined, 2]);

    const observed: number[] = [];
    const observations = new DeferredObservations({ observe: (v) => observed.push(v) }, 3);
    for (const value of [1, 2, 3]) observations.observe(value);
    expect(observed).toEqual([1]);
    observations.observe(4); // the buffer (3) is full: handed over without a scrape
    expect(observed).toEqual([1, 2, 3, 4]);
    observations.observe(5);
    observations.fold();
    expect(observed).toEqual([1, 2, 3, 4, 5]);
  });

  it("refuses a value prom-client refuses when it is observed, not at the next scrape", () => {
    const observations = new DeferredObservations({ observe: () => undefined });
    expect(() => observations.observe(Number.NaN)).toThrow(TypeError);
    expect(() => observations.observe(Number.POSITIVE_INFINITY)).toThrow(TypeError);
  });
});
