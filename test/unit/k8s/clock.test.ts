import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { pause, systemClock } from "../../../src/k8s/clock.ts";
import { ManualClock } from "../manual-clock.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

describe("systemClock", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("calls back once after the delay", async () => {
    const callback = vi.fn();
    systemClock.schedule(callback, 1000);
    await vi.advanceTimersByTimeAsync(999);
    expect(callback).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(callback).toHaveBeenCalledOnce();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(callback).toHaveBeenCalledOnce();
  });

  it("waits out delays longer than one Node timer allows (a token expiring in a year)", async () => {
    const callback = vi.fn();
    systemClock.schedule(callback, 365 * DAY_MS);
    await vi.advanceTimersByTimeAsync(365 * DAY_MS - 1);
    expect(callback).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(callback).toHaveBeenCalledOnce();
  });

  it("cancels, also after re-arming for a long delay", async () => {
    const short = vi.fn();
    const long = vi.fn();
    systemClock.schedule(short, 1000)();
    const cancelLong = systemClock.schedule(long, 60 * DAY_MS);
    await vi.advanceTimersByTimeAsync(30 * DAY_MS);
    cancelLong();
    await vi.advanceTimersByTimeAsync(60 * DAY_MS);
    expect(short).not.toHaveBeenCalled();
    expect(long).not.toHaveBeenCalled();
  });

  it("reads the current time", () => {
    vi.setSystemTime(12_345);
    expect(systemClock.now()).toBe(12_345);
  });
});

describe("pause", () => {
  it("waits on the given clock", async () => {
    const clock = new ManualClock();
    let done = false;
    const waiting = pause(clock, 5000, new AbortController().signal).then(() => (done = true));
    clock.advance(4999);
    await Promise.resolve();
    expect(done).toBe(false);
    clock.advance(1);
    await waiting;
    expect(done).toBe(true);
  });

  it("ends at once on abort and cancels its timer", async () => {
    const clock = new ManualClock();
    const stop = new AbortController();
    const waiting = pause(clock, 60_000, stop.signal);
    stop.abort();
    await waiting;
    expect(clock.pending).toBe(0);
    await pause(clock, 60_000, stop.signal);
    expect(clock.pending).toBe(0);
  });
});
