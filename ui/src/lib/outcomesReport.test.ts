// Tests the reports screen's logic: the default range, range checks that say how to fix them,
// bar lengths, the caseload against the guidance in words, outcome change in words.
import { describe, expect, it } from "vitest";
import type { CaseloadOverTime, OutcomeChange } from "./bindings";
import {
  barLength,
  caseloadSentence,
  checkRange,
  csvFileName,
  defaultRange,
  groupOutcomes,
  meanChangeWords,
  monthWords,
  percent,
} from "./outcomesReport";

describe("date range", () => {
  it("defaults to the last twelve months, today included", () => {
    expect(defaultRange(new Date(2026, 10, 23))).toEqual({ from: "2025-11-24", to: "2026-11-23" });
    expect(defaultRange(new Date(2024, 1, 29))).toEqual({ from: "2023-03-02", to: "2024-02-29" });
  });

  it("refuses a missing day or a range that ends before it starts", () => {
    expect(checkRange("", "2026-01-01").from).toMatch(/first day/);
    expect(checkRange("2026-02-01", "2026-01-01").to).toBe(
      "The last day must be the same as or after the first day",
    );
    expect(checkRange("2026-01-01", "2026-01-01")).toEqual({});
  });
});

describe("bars", () => {
  it("scales to the largest and never draws a non-zero value as nothing", () => {
    expect(barLength(10, 10, 200)).toBe(200);
    expect(barLength(5, 10, 200)).toBe(100);
    expect(barLength(0, 10, 200)).toBe(0);
    expect(barLength(1, 1000, 200)).toBe(2);
    expect(barLength(3, 0, 200)).toBe(0);
  });

  it("percentages with one decimal", () => {
    expect(percent(0.125)).toBe("12.5%");
    expect(percent(null)).toBe("—");
  });
});

function caseload(over: Partial<CaseloadOverTime>): CaseloadOverTime {
  return {
    months: [],
    people_supported: 230,
    link_workers: 1,
    days: 365,
    people_a_year_per_link_worker: 230,
    guidance_low: 200,
    guidance_high: 250,
    against_guidance: "within",
    ...over,
  };
}

describe("caseload against the guidance", () => {
  it("says where the caseload sits against 200–250 a year", () => {
    expect(caseloadSentence(caseload({}))).toBe(
      "230 people supported by 1 link worker: about 230 a year each, within the guidance of 200–250 people a year per full-time link worker.",
    );
    expect(
      caseloadSentence(caseload({ people_supported: 620, link_workers: 2, people_a_year_per_link_worker: 310.4, against_guidance: "above" })),
    ).toContain("2 link workers: about 310 a year each, above the guidance");
  });

  it("says it cannot compare without a link worker", () => {
    const text = caseloadSentence(
      caseload({ link_workers: 0, people_a_year_per_link_worker: null, against_guidance: null }),
    );
    expect(text).toContain("cannot compare");
  });
});

function outcome(over: Partial<OutcomeChange>): OutcomeChange {
  return {
    measure: "ucla3",
    item: "total",
    label: "UCLA-3 total",
    better_when: "lower",
    n: 4,
    mean_baseline: 7.5,
    mean_follow_up: 5.25,
    mean_change: 2.25,
    ...over,
  };
}

describe("outcome change", () => {
  it("words the mean change with positive as better", () => {
    expect(meanChangeWords(outcome({}))).toBe("Better by 2.25 on average");
    expect(meanChangeWords(outcome({ mean_change: -0.5 }))).toBe("Worse by 0.50 on average");
    expect(meanChangeWords(outcome({ n: 0, mean_change: null }))).toBe("No one paired yet");
  });

  it("groups rows by measure in the order Rust sent them", () => {
    const groups = groupOutcomes([
      outcome({ measure: "ons4", item: "life_satisfaction" }),
      outcome({ measure: "ons4", item: "anxiety" }),
      outcome({ measure: "ucla3" }),
    ]);
    expect(groups.map((g) => [g.measure, g.rows.length])).toEqual([["ons4", 2], ["ucla3", 1]]);
  });
});

describe("names", () => {
  it("file and month names", () => {
    expect(csvFileName("2025-04-01", "2026-03-31")).toBe("kith-report-2025-04-01-to-2026-03-31.csv");
    expect(monthWords("2026-03")).toBe("Mar 2026");
  });
});
