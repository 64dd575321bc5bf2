// Saves what visit mode has typed while the worker types, so a crash or a flat battery loses at
// most about a second: a save ~500 ms after the last change, and never more than ~1 s after the
// first unsaved change while typing goes on; flush() saves at once (on blur, on leaving).
// Saves never overlap: a change made during a save is saved right after it.

export interface AutosaveTimers {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: AutosaveTimers = {
  now: () => Date.now(),
  setTimeout: (run, ms) => globalThis.setTimeout(run, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** What one save reports: when it was saved, or why not. */
export type SaveResult = { ok: true; savedAt: string } | { ok: false; message: string };

export interface AutosaveOptions<T> {
  save: (value: T) => Promise<SaveResult>;
  /** Called after each save, good or bad. */
  onResult?: (result: SaveResult) => void;
  /** Quiet time after the last change before saving. */
  quietMs?: number;
  /** Longest time a change waits while typing goes on. */
  maxWaitMs?: number;
  timers?: AutosaveTimers;
}

export class Autosave<T> {
  private readonly save: (value: T) => Promise<SaveResult>;
  private readonly onResult: (result: SaveResult) => void;
  private readonly quietMs: number;
  private readonly maxWaitMs: number;
  private readonly timers: AutosaveTimers;

  private latest: { value: T } | null = null;
  private firstUnsavedAt: number | null = null;
  private timer: unknown = null;
  private inFlight: Promise<void> | null = null;
  private stopped = false;

  constructor(options: AutosaveOptions<T>) {
    this.save = options.save;
    this.onResult = options.onResult ?? (() => {});
    this.quietMs = options.quietMs ?? 500;
    this.maxWaitMs = options.maxWaitMs ?? 1000;
    this.timers = options.timers ?? realTimers;
  }

  /** True while a change has not been saved yet. */
  get unsaved(): boolean {
    return this.latest !== null;
  }

  /** Records the latest value and schedules its save. */
  changed(value: T): void {
    if (this.stopped) return;
    this.latest = { value };
    const now = this.timers.now();
    this.firstUnsavedAt ??= now;
    const due = Math.min(now + this.quietMs, this.firstUnsavedAt + this.maxWaitMs);
    this.schedule(Math.max(0, due - now));
  }

  /** Saves any unsaved change now (and waits for it). */
  async flush(): Promise<void> {
    this.clearTimer();
    await this.run();
  }

  /** Waits for a save in progress; then no more saves happen (e.g. before recording). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimer();
    while (this.inFlight) await this.inFlight;
  }

  /** Allows saving again after stop() (e.g. when recording failed). */
  resume(): void {
    this.stopped = false;
    if (this.latest) this.schedule(0);
  }

  private busy(): boolean {
    return this.inFlight !== null;
  }

  private schedule(ms: number): void {
    this.clearTimer();
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      void this.run();
    }, ms);
  }

  private clearTimer(): void {
    if (this.timer !== null) {
      this.timers.clearTimeout(this.timer);
      this.timer = null;
    }
  }

  private async run(): Promise<void> {
    if (this.inFlight) {
      // One save at a time: the change is picked up when this save ends.
      await this.inFlight;
      if (this.busy()) return;
    }
    if (this.stopped || !this.latest) return;
    const { value } = this.latest;
    this.latest = null;
    this.firstUnsavedAt = null;
    let failed = false;
    this.inFlight = (async () => {
      let result: SaveResult;
      try {
        result = await this.save(value);
      } catch (error) {
        result = { ok: false, message: error instanceof Error ? error.message : String(error) };
      }
      if (!result.ok && this.latest === null) {
        // Not saved and nothing newer: keep it so the next change or flush tries again.
        this.latest = { value };
        this.firstUnsavedAt = this.timers.now();
        failed = true;
      }
      this.onResult(result);
    })();
    try {
      await this.inFlight;
    } finally {
      this.inFlight = null;
    }
    if (this.latest && !failed && !this.stopped && this.timer === null) {
      // Changes made while saving: save them without waiting again past the longest wait.
      const now = this.timers.now();
      const due = Math.min(now + this.quietMs, (this.firstUnsavedAt ?? now) + this.maxWaitMs);
      this.schedule(Math.max(0, due - now));
    }
  }
}
