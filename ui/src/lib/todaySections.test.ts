// Tests of Today's section order, wording and dates.
import { describe, expect, it } from "vitest";
import type { CaseloadLine, TodayView } from "./bindings";
import {
  countWords,
  partitionSections,
  todaySections,
} from "./todaySections";

function line(name: string, date: string): CaseloadLine {
  return { person_id: `id-${name}`, display_name: name, record_id: `r-${name}`, date };
}

function view(partial: Partial<TodayView>): TodayView {
  return {
    date: "2025-03-05",
    visits_today: [],
    overdue_sessions: [],
    overdue_reviews: [],
    due_this_week: [],
    new_referrals: [],
    open_concerns: [],
    supervisor_comments: [],
    ...partial,
  };
}

describe("todaySections", () => {
  it("puts open safeguarding concerns first, marked urgent, when there are any", () => {
    const sections = todaySections(view({ open_concerns: [line("Ada", "2025-03-01")] }));
    expect(sections[0].key).toBe("open_concerns");
    expect(sections[0].urgent).toBe(true);
    expect(sections[0].lines).toHaveLength(1);
  });

  it("puts the calm empty concerns section last when there are none", () => {
    const sections = todaySections(view({}));
    expect(sections.map((section) => section.key)).toEqual([
      "visits_today",
      "overdue_sessions",
      "overdue_reviews",
      "due_this_week",
      "new_referrals",
      "open_concerns",
    ]);
    expect(sections.every((section) => !section.urgent)).toBe(true);
    expect(sections.at(-1)?.empty).toBe("No open safeguarding concerns.");
  });

  it("keeps every line of every section", () => {
    const sections = todaySections(
      view({
        visits_today: [line("A", "2025-03-05"), line("B", "2025-03-05")],
        new_referrals: [line("C", "2025-03-02")],
      }),
    );
    const total = sections.reduce((sum, section) => sum + section.lines.length, 0);
    expect(total).toBe(3);
  });

  it("words each section's dates for what they mean", () => {
    const sections = todaySections(view({}));
    const words = Object.fromEntries(
      sections.map((section) => [section.key, section.dateWords("2025-03-03")]),
    );
    expect(words.overdue_sessions).toBe("was due 3 Mar 2025");
    expect(words.overdue_reviews).toBe("review was due 3 Mar 2025");
    expect(words.new_referrals).toBe("referred 3 Mar 2025");
    expect(words.open_concerns).toBe("raised 3 Mar 2025");
    expect(words.visits_today).toBe("today");
  });
});

describe("countWords", () => {
  it("uses the singular for one", () => {
    expect(countWords(1, "person", "people")).toBe("1 person");
    expect(countWords(0, "person", "people")).toBe("0 people");
  });
});

describe("partitionSections", () => {
  it("keeps the order, busy sections apart from empty ones", () => {
    const { busy, empty } = partitionSections(
      todaySections(
        view({
          open_concerns: [line("A", "2025-03-01")],
          new_referrals: [line("B", "2025-03-02")],
        }),
      ),
    );
    expect(busy.map((section) => section.key)).toEqual(["open_concerns", "new_referrals"]);
    expect(empty.map((section) => section.key)).toEqual([
      "visits_today",
      "overdue_sessions",
      "overdue_reviews",
      "due_this_week",
    ]);
  });
});
