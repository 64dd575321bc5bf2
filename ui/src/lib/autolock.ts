// Auto-lock after inactivity: the setting (kept in localStorage — it is not personal) and a
// watcher that calls back once no key, mouse or touch event has happened for that long.

/** Where the auto-lock delay is kept, in whole seconds. */
export const AUTO_LOCK_STORAGE_KEY = "kith.autoLockSeconds";
/** Five minutes, unless the worker chooses otherwise. */
export const DEFAULT_AUTO_LOCK_SECONDS = 5 * 60;
/** The longest delay the settings offer: an hour. */
export const MAXIMUM_AUTO_LOCK_SECONDS = 60 * 60;
/** The choices offered in Settings, in minutes. */
export const AUTO_LOCK_MINUTE_CHOICES = [1, 2, 5, 10, 15, 30, 60] as const;

/** The events that count as someone using the app. */
export const ACTIVITY_EVENTS = [
  "keydown",
  "mousedown",
  "mousemove",
  "wheel",
  "touchstart",
  "pointerdown",
] as const;

/** Storage as far as the setting needs it (localStorage, or a stand-in in tests). */
export interface SettingStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/**
 * The delay, in seconds, read from `storage`. Anything missing, not a whole number, below one
 * second or above an hour gives the default. The settings screen only offers whole minutes;
 * a smaller value can only be written directly (the window tests do that to stay short).
 */
export function readAutoLockSeconds(storage: SettingStorage | undefined): number {
  const stored = storage?.getItem(AUTO_LOCK_STORAGE_KEY) ?? null;
  if (stored === null || !/^\d+$/.test(stored.trim())) return DEFAULT_AUTO_LOCK_SECONDS;
  const seconds = Number(stored.trim());
  if (seconds < 1 || seconds > MAXIMUM_AUTO_LOCK_SECONDS) return DEFAULT_AUTO_LOCK_SECONDS;
  return seconds;
}

/** Keeps `seconds` as the delay; refuses a value the settings could not offer. */
export function saveAutoLockSeconds(storage: SettingStorage, seconds: number): void {
  if (!Number.isInteger(seconds) || seconds < 60 || seconds > MAXIMUM_AUTO_LOCK_SECONDS) {
    throw new RangeError(`auto-lock delay out of range: ${seconds}`);
  }
  storage.setItem(AUTO_LOCK_STORAGE_KEY, String(seconds));
}

/** "5 minutes", "1 minute", "30 seconds": the delay in words. */
export function describeDelay(seconds: number): string {
  if (seconds % 60 === 0) {
    const minutes = seconds / 60;
    return minutes === 1 ? "1 minute" : `${minutes} minutes`;
  }
  return seconds === 1 ? "1 second" : `${seconds} seconds`;
}

/** Where activity events come from (the window, or a stand-in in tests). */
export interface ActivitySource {
  addEventListener(type: string, listener: () => void, options?: AddEventListenerOptions): void;
  removeEventListener(type: string, listener: () => void, options?: EventListenerOptions): void;
}

/**
 * Calls `onIdle` once, after `seconds` without activity on `source`. It compares clock times
 * every second rather than trusting a single long timer, so a laptop that slept with Kith
 * open locks as soon as it wakes. Returns a function that stops watching.
 */
export function watchInactivity(
  source: ActivitySource,
  seconds: number,
  onIdle: () => void,
  now: () => number = Date.now,
): () => void {
  let lastActivity = now();
  let stopped = false;
  const noteActivity = () => {
    lastActivity = now();
  };
  const options: AddEventListenerOptions = { capture: true, passive: true };
  for (const type of ACTIVITY_EVENTS) source.addEventListener(type, noteActivity, options);

  const stop = () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    for (const type of ACTIVITY_EVENTS) source.removeEventListener(type, noteActivity, options);
  };
  const check = () => {
    if (!stopped && now() - lastActivity >= seconds * 1000) {
      stop();
      onIdle();
    }
  };
  const timer = setInterval(check, Math.min(1000, seconds * 1000));
  return stop;
}
