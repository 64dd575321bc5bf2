// Today's sections: their order, headings, empty states and how each line's date reads.
// Pure, so the wording and the order (open safeguarding concerns first) are unit tested.
import type { CaseloadLine, TodayView } from "./bindings";
import { shortDate } from "./dates";

/** The parts of TodayView that are lists of people's lines. */
export type SectionKey = {
  [Key in keyof TodayView]: TodayView[Key] extends CaseloadLine[] ? Key : never;
}[keyof TodayView];

export interface TodaySection {
  key: SectionKey;
  heading: string;
  /** Shown when the section is empty: calm, and says what would appear here. */
  empty: string;
  /** How a line's date reads in this section, e.g. "was due 3 Mar 2026". */
  dateWords: (isoDate: string) => string;
  /** Needs attention: shown first, marked so it cannot be missed. */
  urgent: boolean;
  lines: CaseloadLine[];
}

/** Today's sections in the order shown: open safeguarding concerns first when there are any. */
export function todaySections(view: TodayView): TodaySection[] {
  const concerns: TodaySection = {
    key: "open_concerns",
    heading: "Open safeguarding concerns",
    empty: "No open safeguarding concerns.",
    dateWords: (date) => `raised ${shortDate(date)}`,
    urgent: view.open_concerns.length > 0,
    lines: view.open_concerns,
  };
  const rest: TodaySection[] = [
    {
      key: "visits_today",
      heading: "Visits today",
      empty: "No visits booked for today.",
      dateWords: () => "today",
      urgent: false,
      lines: view.visits_today,
    },
    {
      key: "overdue_sessions",
      heading: "Overdue sessions",
      empty: "No sessions are overdue.",
      dateWords: (date) => `was due ${shortDate(date)}`,
      urgent: false,
      lines: view.overdue_sessions,
    },
    {
      key: "overdue_reviews",
      heading: "Plan reviews overdue",
      empty: "No plan reviews are overdue.",
      dateWords: (date) => `review was due ${shortDate(date)}`,
      urgent: false,
      lines: view.overdue_reviews,
    },
    {
      key: "due_this_week",
      heading: "Due this week",
      empty: "Nothing else is due this week.",
      dateWords: (date) => shortDate(date),
      urgent: false,
      lines: view.due_this_week,
    },
    {
      key: "new_referrals",
      heading: "New referrals to contact",
      empty: "No new referrals are waiting.",
      dateWords: (date) => `referred ${shortDate(date)}`,
      urgent: false,
      lines: view.new_referrals,
    },
  ];
  return concerns.urgent ? [concerns, ...rest] : [...rest, concerns];
}

/** "1 person", "3 people" — the count beside a heading. */
export function countWords(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** The sections with something in them (shown as cards), and the empty ones (one calm list). */
export function partitionSections(sections: TodaySection[]): {
  busy: TodaySection[];
  empty: TodaySection[];
} {
  return {
    busy: sections.filter((section) => section.lines.length > 0),
    empty: sections.filter((section) => section.lines.length === 0),
  };
}
