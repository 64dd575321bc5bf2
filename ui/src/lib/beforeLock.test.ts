// Tests that locking waits for the open draft's save: words typed a moment before Ctrl+L are
// saved before the lock, a save that fails or hangs does not stop the lock, and a screen that
// has gone is no longer saved.
import { describe, expect, it } from "vitest";
import { SavesBeforeLock } from "./beforeLock";
import { Autosave, type SaveResult } from "./careAutosave";

/** A promise with its resolve and reject in hand. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A timer the test fires by hand. */
function manualTimer() {
  const pending: (() => void)[] = [];
  return {
    set: (run: () => void) => {
      pending.push(run);
    },
    fire: () => pending.splice(0).forEach((run) => run()),
  };
}

describe("saving before lock", () => {
  it("waits for a registered save to finish before it says saved", async () => {
    const saves = new SavesBeforeLock();
    const save = deferred<void>();
    const events: string[] = [];
    saves.register(async () => {
      events.push("save started");
      await save.promise;
      events.push("save finished");
    });
    const done = saves.saveAll(5000, manualTimer().set).then((outcome) => {
      events.push(`lock may go ahead: ${outcome}`);
    });
    await Promise.resolve();
    expect(events).toEqual(["save started"]);
    save.resolve();
    await done;
    expect(events).toEqual(["save started", "save finished", "lock may go ahead: saved"]);
  });

  it("saves the words typed just before the lock, which the debounce had not saved", async () => {
    const saved: string[] = [];
    const autosave = new Autosave<string>({
      save: async (value): Promise<SaveResult> => {
        saved.push(value);
        return { ok: true, savedAt: "2026-12-03T10:00:00Z" };
      },
    });
    const saves = new SavesBeforeLock();
    saves.register(() => autosave.flush());
    autosave.changed("Talked about the allotment");
    autosave.changed("Talked about the allotment and her sister");
    // Ctrl+L straight after the last keystroke: the debounce's half second has not passed.
    expect(saved).toEqual([]);
    expect(await saves.saveAll()).toBe("saved");
    expect(saved).toEqual(["Talked about the allotment and her sister"]);
    expect(autosave.unsaved).toBe(false);
    await autosave.stop();
  });

  it("no longer runs a screen's save once it has unregistered", async () => {
    const saves = new SavesBeforeLock();
    let runs = 0;
    const unregister = saves.register(async () => {
      runs += 1;
    });
    await saves.saveAll();
    unregister();
    await saves.saveAll();
    expect(runs).toBe(1);
  });

  it("waits for a save a screen started as it closed", async () => {
    const saves = new SavesBeforeLock();
    const closing = deferred<void>();
    saves.track(closing.promise);
    let settled = false;
    const done = saves.saveAll(5000, manualTimer().set).then((outcome) => {
      settled = true;
      return outcome;
    });
    await Promise.resolve();
    expect(settled).toBe(false);
    closing.resolve();
    expect(await done).toBe("saved");
    // Once settled it is forgotten: the next lock has nothing to wait for.
    expect(await saves.saveAll(5000, manualTimer().set)).toBe("saved");
  });

  it("still lets the lock go ahead when a save fails", async () => {
    const saves = new SavesBeforeLock();
    saves.register(async () => {
      throw new Error("the store refused");
    });
    saves.register(async () => {});
    expect(await saves.saveAll()).toBe("failed");
  });

  it("does not let a save that never ends hold the lock back", async () => {
    const saves = new SavesBeforeLock();
    saves.register(() => new Promise<void>(() => {}));
    const timer = manualTimer();
    const done = saves.saveAll(5000, timer.set);
    timer.fire();
    expect(await done).toBe("timed out");
  });
});
