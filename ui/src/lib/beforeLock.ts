// Saving before locking: a screen holding typed words not saved yet (a visit's draft saves on a
// debounce) registers how to save them here. Locking — the Lock button, Ctrl+L, auto-lock —
// and closing the window run every registered save and wait for them, then the core locks
// and forgets the key, after which nothing can be saved. A save that hangs cannot hold the
// lock back for longer than a time limit: locking is a safeguard in itself.

/** Saves what a screen holds unsaved; resolves when it is saved (or the save gave up). */
export type PendingSave = () => Promise<void>;

/** How long a lock waits for the saves before it locks anyway. */
export const SAVE_BEFORE_LOCK_LIMIT_MS = 5000;

export type SaveOutcome = "saved" | "failed" | "timed out";

export class SavesBeforeLock {
  private readonly saves = new Set<PendingSave>();
  private readonly closing = new Set<Promise<void>>();

  /** Registers a screen's save; returns the function that unregisters it (on leaving). */
  register(save: PendingSave): () => void {
    this.saves.add(save);
    return () => {
      this.saves.delete(save);
    };
  }

  /** A save a screen started as it closed (unmounted by the lock): the lock waits for it too. */
  track(save: Promise<void>): void {
    const settled = save.then(
      () => undefined,
      () => undefined,
    );
    this.closing.add(settled);
    void settled.then(() => this.closing.delete(settled));
  }

  /** Runs every registered save and waits for them and for tracked ones, up to `limitMs`. */
  async saveAll(
    limitMs = SAVE_BEFORE_LOCK_LIMIT_MS,
    setTimer: (run: () => void, ms: number) => unknown = (run, ms) => setTimeout(run, ms),
  ): Promise<SaveOutcome> {
    const running: Promise<unknown>[] = [...this.closing];
    for (const save of this.saves) {
      running.push(
        (async () => {
          await save();
        })(),
      );
    }
    if (running.length === 0) return "saved";
    const all = Promise.allSettled(running).then((results): SaveOutcome =>
      results.every((result) => result.status === "fulfilled") ? "saved" : "failed",
    );
    const late = new Promise<SaveOutcome>((resolve) => {
      setTimer(() => resolve("timed out"), limitMs);
    });
    return Promise.race([all, late]);
  }
}

/** The app's one list: screens register here, App.svelte saves them all before it locks. */
export const savesBeforeLock = new SavesBeforeLock();
