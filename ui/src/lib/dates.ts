// Dates, their one home in the UI: today on this laptop, dates and times in words ("3 Dec 2026",
// "Thursday 3 December 2026", "3 Dec 2026 at 14:05"), and reading what was typed into the
// day / month / year date input (components/DateInput.svelte). The same words on every
// computer, whatever its locale: nothing here asks the operating system how to write a date.

export const WEEKDAYS = [
  "Sunday",
  "Monday",
  "Tuesday",
  "Wednesday",
  "Thursday",
  "Friday",
  "Saturday",
] as const;

export const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
] as const;

const two = (value: number) => String(value).padStart(2, "0");

/** Today on this laptop's calendar, as the "YYYY-MM-DD" the core takes. */
export function todayIso(now: Date = new Date()): string {
  return `${now.getFullYear()}-${two(now.getMonth() + 1)}-${two(now.getDate())}`;
}

/** The year, month (1–12) and day of a real calendar date, or null. */
function calendarDate(year: number, month: number, day: number): Date | null {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return null;
  const date = new Date(Date.UTC(2000, 0, 1));
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0–99 as 1900–1999.
  date.setUTCFullYear(year, month - 1, day);
  const real =
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return real ? date : null;
}

/** The calendar date an ISO "YYYY-MM-DD" names (a time after it is ignored), or null. */
function isoCalendarDate(text: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (!match) return null;
  return calendarDate(Number(match[1]), Number(match[2]), Number(match[3]));
}

/** True for a real calendar date written exactly "YYYY-MM-DD". */
export function isIsoDate(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && isoCalendarDate(text) !== null;
}

/** "2026-12-03" (or an RFC 3339 time on that day) → "3 Dec 2026"; anything else as it came. */
export function shortDate(iso: string): string {
  const date = isoCalendarDate(iso);
  if (!date) return iso;
  const month = MONTHS[date.getUTCMonth()].slice(0, 3);
  return `${date.getUTCDate()} ${month} ${date.getUTCFullYear()}`;
}

/** "2026-12-03" → "Thursday 3 December 2026"; anything else as it came. */
export function longDate(iso: string): string {
  const date = isoCalendarDate(iso);
  if (!date) return iso;
  const weekday = WEEKDAYS[date.getUTCDay()];
  return `${weekday} ${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

/** An RFC 3339 instant → "14:32:05" on this laptop's clock (or "14:32" without seconds). */
export function clockTime(instant: string, withSeconds = true): string {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return "";
  const minutes = `${two(date.getHours())}:${two(date.getMinutes())}`;
  return withSeconds ? `${minutes}:${two(date.getSeconds())}` : minutes;
}

/** An RFC 3339 instant → "3 Dec 2026 at 14:05" on this laptop's calendar and clock. */
export function dateAndTime(instant: string): string {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return instant;
  return `${shortDate(todayIso(date))} at ${clockTime(instant, false)}`;
}

// ---- The day / month / year date input ----

/** What is typed into the three fields, as typed. */
export interface DateParts {
  day: string;
  month: string;
  year: string;
}

export type DatePart = keyof DateParts;

export const DATE_PARTS: readonly DatePart[] = ["day", "month", "year"];

/** The earliest year a date may have: anything before is a slip of the keyboard. */
export const EARLIEST_YEAR = 1900;

/**
 * The value a date input binds to. A complete, real date is "YYYY-MM-DD" and nothing typed is
 * "", so a form holds exactly what it sends to the core. Anything else (a partial or
 * impossible date) is kept as typed, in a form that is never an ISO date, so the form can
 * say what is wrong ({@link dateProblem}) and the input shows it again as it was typed.
 */
export function valueFromParts(parts: DateParts): string {
  const day = parts.day.trim();
  const month = parts.month.trim();
  const year = parts.year.trim();
  if (day === "" && month === "" && year === "") return "";
  const reading = readParts({ day, month, year });
  if (reading.kind === "date") return reading.iso;
  return JSON.stringify([day, month, year]);
}

/** The three fields for a bound value (the inverse of {@link valueFromParts}). */
export function partsFromValue(value: string): DateParts {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (iso) return { day: String(Number(iso[3])), month: String(Number(iso[2])), year: iso[1] };
  if (value.startsWith("[")) {
    try {
      const typed: unknown = JSON.parse(value);
      if (Array.isArray(typed) && typed.length === 3 && typed.every((p) => typeof p === "string")) {
        return { day: typed[0], month: typed[1], year: typed[2] };
      }
    } catch {
      // Not a typed value: fall through to empty fields.
    }
  }
  return { day: "", month: "", year: "" };
}

/** What the typed parts say: nothing, a date, or what is wrong and in which parts. */
type PartsReading =
  | { kind: "empty" }
  | { kind: "date"; iso: string }
  | { kind: "missing"; parts: DatePart[] }
  | { kind: "short-year" }
  | { kind: "too-early" }
  | { kind: "not-real"; parts: DatePart[] };

function readParts(parts: DateParts): PartsReading {
  const missing = DATE_PARTS.filter((part) => parts[part].trim() === "");
  if (missing.length === 3) return { kind: "empty" };
  if (missing.length > 0) return { kind: "missing", parts: missing };
  const day = parts.day.trim();
  const month = parts.month.trim();
  const year = parts.year.trim();
  const notNumbers = DATE_PARTS.filter((part) => !/^\d+$/.test(parts[part].trim()));
  if (notNumbers.length > 0) return { kind: "not-real", parts: notNumbers };
  if (year.length < 4) return { kind: "short-year" };
  const outOfRange: DatePart[] = [];
  if (day.length > 2 || Number(day) < 1 || Number(day) > 31) outOfRange.push("day");
  if (month.length > 2 || Number(month) < 1 || Number(month) > 12) outOfRange.push("month");
  if (year.length > 4) outOfRange.push("year");
  if (outOfRange.length > 0) return { kind: "not-real", parts: outOfRange };
  if (Number(year) < EARLIEST_YEAR) return { kind: "too-early" };
  // Day 1–31 and month 1–12, but no such day in that month (31 April, 29 February 2027).
  if (!calendarDate(Number(year), Number(month), Number(day))) {
    return { kind: "not-real", parts: ["day"] };
  }
  return { kind: "date", iso: `${year}-${two(Number(month))}-${two(Number(day))}` };
}

/** What a date input's value says, with the message naming the problem, if there is one. */
export type DateReading =
  | { kind: "empty" }
  | { kind: "date"; iso: string }
  | { kind: "problem"; message: string; parts: DatePart[] };

function joinParts(parts: DatePart[]): string {
  const named = parts.map((part) => `a ${part}`);
  return named.length === 1 ? named[0] : `${named.slice(0, -1).join(", ")} and ${named.at(-1)}`;
}

/**
 * Reads a date input's bound value. `label` names the date in a message, as the worker
 * would say it: "Date received" gives "Date received must include a year".
 */
export function readDate(value: string, label: string): DateReading {
  if (value === "") return { kind: "empty" };
  if (isIsoDate(value)) return { kind: "date", iso: value };
  const reading = readParts(partsFromValue(value));
  switch (reading.kind) {
    case "empty":
      // Not a value a date input makes: say so rather than treat it as nothing typed.
      return { kind: "problem", message: `${label} must be a real date`, parts: ["day"] };
    case "date":
      return { kind: "date", iso: reading.iso };
    case "missing":
      return {
        kind: "problem",
        message: `${label} must include ${joinParts(reading.parts)}`,
        parts: reading.parts,
      };
    case "short-year":
      return {
        kind: "problem",
        message: `${label} must have the year in full, for example 2026`,
        parts: ["year"],
      };
    case "too-early":
      return {
        kind: "problem",
        message: `${label} must be in ${EARLIEST_YEAR} or later`,
        parts: ["year"],
      };
    case "not-real":
      return { kind: "problem", message: `${label} must be a real date`, parts: reading.parts };
  }
}

/** The message for a partial or impossible date, or null for an empty or real one. */
export function dateProblem(value: string, label: string): string | null {
  const reading = readDate(value, label);
  return reading.kind === "problem" ? reading.message : null;
}

/**
 * "3/12/2026", "03-12-2026", "3.12.2026" or "3 12 2026" typed or pasted into the day field,
 * read the UK way (day, month, year); null for anything else.
 */
export function splitTypedDate(text: string): DateParts | null {
  const match = /^\s*(\d{1,2})\s*[/.\- ]\s*(\d{1,2})\s*[/.\- ]\s*(\d{1,4})\s*$/.exec(text);
  return match ? { day: match[1], month: match[2], year: match[3] } : null;
}

/**
 * The message for a date input's value: what is wrong with a partial or impossible date, or
 * `whenEmpty` when nothing is typed (null for an optional date); null for a real date, which
 * the form may check further (not in the future, not before the plan starts).
 */
export function dateError(value: string, label: string, whenEmpty: string | null): string | null {
  if (value === "") return whenEmpty;
  return dateProblem(value, label);
}
