// Tests the visit autosave's timing: saves after a quiet half second, at most a second apart
// while typing goes on, at once on flush, never two at a time, and never after stop().
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Autosave, type SaveResult } from "./careAutosave";

interface Call {
  value: string;
  at: number;
  finish: (result: SaveResult) => void;
}

function harness(options: { autoFinish?: boolean } = {}) {
  const calls: Call[] = [];
  const results: SaveResult[] = [];
  const started = Date.now();
  const autosave = new Autosave<string>({
    save: (value) =>
      new Promise<SaveResult>((resolve) => {
        calls.push({ value, at: Date.now() - started, finish: resolve });
        if (options.autoFinish !== false) resolve({ ok: true, savedAt: "2025-05-12T13:32:05Z" });
      }),
    onResult: (result) => results.push(result),
  });
  return { autosave, calls, results };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date("2025-05-12T13:00:00Z"));
});
afterEach(() => vi.useRealTimers());

describe("Autosave", () => {
  it("saves half a second after the last change, once", async () => {
    const { autosave, calls } = harness();
    autosave.changed("a");
    await vi.advanceTimersByTimeAsync(200);
    autosave.changed("ab");
    await vi.advanceTimersByTimeAsync(499);
    expect(calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.map((call) => [call.value, call.at])).toEqual([["ab", 700]]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toHaveLength(1);
    expect(autosave.unsaved).toBe(false);
  });

  it("saves at least every second while typing never pauses", async () => {
    const { autosave, calls } = harness();
    // A keystroke every 100 ms for 5 seconds: a quiet-time debounce alone would never save.
    for (let typed = 1; typed <= 50; typed++) {
      autosave.changed("x".repeat(typed));
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(calls.length).toBeGreaterThanOrEqual(4);
    const gaps = calls.slice(1).map((call, index) => call.at - (calls[index]?.at ?? 0));
    for (const gap of gaps) expect(gap).toBeLessThanOrEqual(1000);
    // What was typed up to the last save is at most a second old.
    const last = calls.at(-1);
    expect(last && 5000 - last.at).toBeLessThanOrEqual(1000);
    await vi.advanceTimersByTimeAsync(600);
    expect(calls.at(-1)?.value).toBe("x".repeat(50));
  });

  it("flush saves at once, and does nothing when all is saved", async () => {
    const { autosave, calls } = harness();
    autosave.changed("on blur");
    await autosave.flush();
    expect(calls.map((call) => call.value)).toEqual(["on blur"]);
    await autosave.flush();
    await vi.advanceTimersByTimeAsync(2000);
    expect(calls).toHaveLength(1);
  });

  it("never runs two saves at once, and saves a change made during a save right after", async () => {
    const { autosave, calls } = harness({ autoFinish: false });
    autosave.changed("first");
    await vi.advanceTimersByTimeAsync(500);
    expect(calls).toHaveLength(1);
    autosave.changed("second");
    await vi.advanceTimersByTimeAsync(3000);
    expect(calls).toHaveLength(1);
    calls[0]?.finish({ ok: true, savedAt: "t" });
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(0);
    // The second change has waited over a second already, so it goes at once.
    expect(calls.map((call) => call.value)).toEqual(["first", "second"]);
  });

  it("keeps a value that failed to save and tries again on the next flush", async () => {
    const { autosave, calls, results } = harness({ autoFinish: false });
    autosave.changed("kept");
    await vi.advanceTimersByTimeAsync(500);
    calls[0]?.finish({ ok: false, message: "Kith is locked" });
    await vi.advanceTimersByTimeAsync(0);
    expect(results).toEqual([{ ok: false, message: "Kith is locked" }]);
    expect(autosave.unsaved).toBe(true);
    // No busy retrying by itself.
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toHaveLength(1);
    const flushed = autosave.flush();
    await vi.advanceTimersByTimeAsync(0);
    calls[1]?.finish({ ok: true, savedAt: "t" });
    await flushed;
    expect(calls.map((call) => call.value)).toEqual(["kept", "kept"]);
    expect(autosave.unsaved).toBe(false);
  });

  it("waits for a save in progress on stop, then saves nothing more", async () => {
    const { autosave, calls } = harness({ autoFinish: false });
    autosave.changed("before finishing");
    await vi.advanceTimersByTimeAsync(500);
    let stopped = false;
    const stopping = autosave.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    calls[0]?.finish({ ok: true, savedAt: "t" });
    await stopping;
    autosave.changed("after");
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls.map((call) => call.value)).toEqual(["before finishing"]);
    autosave.resume();
    autosave.changed("resumed");
    await vi.advanceTimersByTimeAsync(500);
    expect(calls.map((call) => call.value)).toEqual(["before finishing", "resumed"]);
  });
});
