// Tests one person's change: pairing (earliest baseline, latest follow-up on or after it, as the
// core pairs them), incomplete questionnaires left out, which way is better for each measure,
// the change in words, and where a value sits on the chart.
import { describe, expect, it } from "vitest";
import type { Measure, MeasureAnswers, MeasureScore } from "./bindings";
import {
  changeWords,
  improvement,
  measureChanges,
  pairFor,
  positionOn,
  showValue,
  valueWithBand,
  type ScoredMeasure,
} from "./outcomes";

let next = 0;
function scored(
  timing: Measure["timing"],
  takenOn: string,
  answers: MeasureAnswers,
  score: MeasureScore | null,
): ScoredMeasure {
  next += 1;
  return {
    measure: {
      id: `0190-${String(next).padStart(4, "0")}`,
      person_id: "p",
      timing,
      taken_on: takenOn,
      recorded_by: "u",
      answers,
    },
    score,
  };
}
const ucla = (items: [number, number, number]): MeasureAnswers => ({ measure: "ucla3", items });
const uclaScore = (total: number): MeasureScore => ({ measure: "ucla3", total, lonely: total >= 6 });

describe("pairing", () => {
  it("takes the earliest baseline and the latest follow-up on or after it", () => {
    const early = scored("baseline", "2026-01-05", ucla([3, 3, 3]), uclaScore(9));
    const later = scored("baseline", "2026-02-01", ucla([2, 2, 2]), uclaScore(6));
    const before = scored("follow_up", "2025-12-01", ucla([1, 1, 1]), uclaScore(3));
    const first = scored("follow_up", "2026-03-01", ucla([2, 2, 1]), uclaScore(5));
    const last = scored("follow_up", "2026-04-01", ucla([1, 2, 1]), uclaScore(4));
    const pair = pairFor([last, before, later, early, first], "ucla3");
    expect(pair.baseline).toBe(early);
    expect(pair.followUp).toBe(last);
  });

  it("leaves out incomplete questionnaires (they have no score)", () => {
    const incomplete = scored("baseline", "2026-01-01", { measure: "ucla3", items: [3, null, 3] }, null);
    const complete = scored("baseline", "2026-01-10", ucla([3, 2, 3]), uclaScore(8));
    expect(pairFor([incomplete, complete], "ucla3").baseline).toBe(complete);
    expect(measureChanges([incomplete])).toEqual([]);
  });

  it("shows a measure with only a baseline, waiting for its follow-up", () => {
    const [change] = measureChanges([scored("baseline", "2026-01-01", ucla([3, 3, 2]), uclaScore(8))]);
    expect(change!.items[0]!.baseline).toBe(8);
    expect(change!.items[0]!.followUp).toBeNull();
    expect(changeWords(change!.items[0]!)).toBe("No follow-up yet");
  });
});

describe("which way is better", () => {
  it("UCLA-3: a lower total is better", () => {
    const changes = measureChanges([
      scored("baseline", "2026-01-01", ucla([3, 3, 2]), uclaScore(8)),
      scored("follow_up", "2026-04-01", ucla([2, 2, 1]), uclaScore(5)),
    ]);
    const item = changes[0]!.items[0]!;
    expect(item.better).toBe("lower");
    expect(improvement(item)).toBe(3);
    expect(changeWords(item)).toBe("Better by 3");
    expect(changes[0]!.betterSentence).toMatch(/^Lower is better/);
  });

  it("ONS4: items 1-3 higher is better, anxiety lower is better, each with its band", () => {
    const ons4 = (values: [number, number, number, number]): MeasureAnswers => ({ measure: "ons4", items: values });
    const changes = measureChanges([
      scored("baseline", "2026-01-01", ons4([4, 5, 3, 8]), {
        measure: "ons4",
        life_satisfaction: { value: 4, band: "low" },
        worthwhile: { value: 5, band: "medium" },
        happiness: { value: 3, band: "low" },
        anxiety: { value: 8, band: "high" },
      }),
      scored("follow_up", "2026-04-01", ons4([7, 5, 2, 3]), {
        measure: "ons4",
        life_satisfaction: { value: 7, band: "high" },
        worthwhile: { value: 5, band: "medium" },
        happiness: { value: 2, band: "low" },
        anxiety: { value: 3, band: "low" },
      }),
    ]);
    const items = changes[0]!.items;
    expect(items.map((i) => i.key)).toEqual(["life_satisfaction", "worthwhile", "happiness", "anxiety"]);
    expect(items.map(changeWords)).toEqual(["Better by 3", "No change", "Worse by 1", "Better by 5"]);
    expect(valueWithBand(items[3]!.baseline, items[3]!.baselineBand)).toBe("8 (high)");
    expect(valueWithBand(items[0]!.followUp, items[0]!.followUpBand)).toBe("7 (high)");
  });

  it("SWEMWBS: the metric score, higher is better, two decimals", () => {
    const sw = (items: number[]): MeasureAnswers => ({ measure: "swemwbs", items: items as never });
    const changes = measureChanges([
      scored("baseline", "2026-01-01", sw([3, 3, 3, 3, 3, 3, 4]), { measure: "swemwbs", raw_total: 22, metric_hundredths: 1998, metric: 19.98 }),
      scored("follow_up", "2026-04-01", sw([4, 4, 4, 4, 4, 4, 4]), { measure: "swemwbs", raw_total: 28, metric_hundredths: 2503, metric: 25.03 }),
    ]);
    const item = changes[0]!.items[0]!;
    expect([item.min, item.max, item.better]).toEqual([7, 35, "higher"]);
    expect(changeWords(item)).toBe("Better by 5.05");
    expect(showValue(item.baseline)).toBe("19.98");
  });

  it("MYCaW: lower is better, concerns labelled in the person's words", () => {
    const answers: MeasureAnswers = {
      measure: "mycaw",
      concerns: [{ in_own_words: "Going out alone", rating: 5 }, { in_own_words: "Sleep", rating: 4 }],
      wellbeing: 4,
    };
    const changes = measureChanges([
      scored("baseline", "2026-01-01", answers, { measure: "mycaw", concern_1: 5, concern_2: 4, wellbeing: 4 }),
      scored("follow_up", "2026-04-01", answers, { measure: "mycaw", concern_1: 2, concern_2: 4, wellbeing: 5 }),
    ]);
    const items = changes[0]!.items;
    expect(items.map((i) => i.label)).toEqual(["Concern 1: Going out alone", "Concern 2: Sleep", "Wellbeing"]);
    expect(items.map(changeWords)).toEqual(["Better by 3", "No change", "Worse by 1"]);
  });
});

describe("chart positions", () => {
  it("places values along the track and keeps them on it", () => {
    expect(positionOn(3, 3, 9, 300)).toBe(0);
    expect(positionOn(6, 3, 9, 300)).toBe(150);
    expect(positionOn(9, 3, 9, 300)).toBe(300);
    expect(positionOn(12, 3, 9, 300)).toBe(300);
    expect(positionOn(19.98, 7, 35, 280)).toBeCloseTo(129.8, 5);
  });
});
