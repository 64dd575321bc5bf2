// Tests of the auto-lock setting and the inactivity watcher (with fake timers and a fake
// event source, so they run in milliseconds and fail if the lock comes early or never).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  ACTIVITY_EVENTS,
  AUTO_LOCK_STORAGE_KEY,
  DEFAULT_AUTO_LOCK_SECONDS,
  describeDelay,
  readAutoLockSeconds,
  saveAutoLockSeconds,
  watchInactivity,
  type ActivitySource,
  type SettingStorage,
} from "./autolock";

function memoryStorage(initial: Record<string, string> = {}): SettingStorage {
  const values = new Map(Object.entries(initial));
  return {
    getItem: (key) => values.get(key) ?? null,
    setItem: (key, value) => void values.set(key, value),
  };
}

class FakeSource implements ActivitySource {
  listeners = new Map<string, Set<() => void>>();
  addEventListener(type: string, listener: () => void) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)?.add(listener);
  }
  removeEventListener(type: string, listener: () => void) {
    this.listeners.get(type)?.delete(listener);
  }
  fire(type: string) {
    for (const listener of this.listeners.get(type) ?? []) listener();
  }
  count(): number {
    return [...this.listeners.values()].reduce((sum, set) => sum + set.size, 0);
  }
}

describe("the auto-lock setting", () => {
  it("is five minutes when nothing is stored", () => {
    expect(DEFAULT_AUTO_LOCK_SECONDS).toBe(300);
    expect(readAutoLockSeconds(memoryStorage())).toBe(300);
    expect(readAutoLockSeconds(undefined)).toBe(300);
  });

  it("reads what was saved", () => {
    const storage = memoryStorage();
    saveAutoLockSeconds(storage, 600);
    expect(storage.getItem(AUTO_LOCK_STORAGE_KEY)).toBe("600");
    expect(readAutoLockSeconds(storage)).toBe(600);
  });

  it("falls back to the default for nonsense, zero, negative or over an hour", () => {
    for (const stored of ["", "abc", "0", "-5", "1.5", "3601", "1e3", "Infinity"]) {
      expect(readAutoLockSeconds(memoryStorage({ [AUTO_LOCK_STORAGE_KEY]: stored }))).toBe(300);
    }
  });

  it("accepts a few seconds written directly (the window tests do this)", () => {
    expect(readAutoLockSeconds(memoryStorage({ [AUTO_LOCK_STORAGE_KEY]: "3" }))).toBe(3);
  });

  it("refuses to save less than a minute or more than an hour from Settings", () => {
    const storage = memoryStorage();
    expect(() => saveAutoLockSeconds(storage, 30)).toThrow(RangeError);
    expect(() => saveAutoLockSeconds(storage, 7200)).toThrow(RangeError);
    expect(storage.getItem(AUTO_LOCK_STORAGE_KEY)).toBeNull();
  });

  it("words the delay", () => {
    expect(describeDelay(60)).toBe("1 minute");
    expect(describeDelay(300)).toBe("5 minutes");
    expect(describeDelay(5)).toBe("5 seconds");
  });
});

describe("watchInactivity", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("locks after the delay with no activity, and only once", () => {
    const source = new FakeSource();
    const onIdle = vi.fn();
    watchInactivity(source, 300, onIdle);
    vi.advanceTimersByTime(299_000);
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1_000);
    expect(onIdle).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(600_000);
    expect(onIdle).toHaveBeenCalledTimes(1);
    expect(source.count()).toBe(0);
  });

  it("counts every kind of key, mouse and touch event as activity", () => {
    for (const type of ACTIVITY_EVENTS) {
      const source = new FakeSource();
      const onIdle = vi.fn();
      watchInactivity(source, 60, onIdle);
      vi.advanceTimersByTime(50_000);
      source.fire(type);
      vi.advanceTimersByTime(50_000);
      expect(onIdle, type).not.toHaveBeenCalled();
      vi.advanceTimersByTime(10_000);
      expect(onIdle, type).toHaveBeenCalledTimes(1);
    }
  });

  it("locks at once after the laptop slept past the delay", () => {
    let clock = 0;
    const source = new FakeSource();
    const onIdle = vi.fn();
    watchInactivity(source, 300, onIdle, () => clock);
    clock = 3_600_000; // an hour asleep: timers did not run
    vi.advanceTimersByTime(1_000);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it("stops watching when told to, leaving no listeners behind", () => {
    const source = new FakeSource();
    const onIdle = vi.fn();
    const stop = watchInactivity(source, 60, onIdle);
    expect(source.count()).toBe(ACTIVITY_EVENTS.length);
    stop();
    expect(source.count()).toBe(0);
    vi.advanceTimersByTime(3_600_000);
    expect(onIdle).not.toHaveBeenCalled();
  });
});
