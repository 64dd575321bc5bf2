// Tests the questionnaires against Kith's core: every question and answer worded exactly as
// kith-domain words them (read from its source), what counts as answered and missing, and the
// answers sent to Rust (nothing filled in for an unanswered item).
import { describe, expect, it } from "vitest";
import rustMeasures from "../../../crates/kith-domain/src/measures.rs?raw";
import {
  MYCAW_CONCERN_QUESTION,
  MYCAW_WELLBEING_QUESTION,
  answeredCount,
  answeredWords,
  emptyMeasureForm,
  missingAnswers,
  mycawConcernScale,
  mycawWellbeingScale,
  questionnaires,
  scoreLines,
  toMeasureAnswers,
} from "./measures";

/** The string literals of a Rust `const NAME: ... = [...]` or `= "..."`, continuations joined. */
function rustStrings(name: string): string[] {
  const start = rustMeasures.indexOf(`pub const ${name}:`);
  if (start < 0) throw new Error(`${name} not found in measures.rs`);
  const end = rustMeasures.indexOf(";\n", start);
  const body = rustMeasures.slice(rustMeasures.indexOf("=", start) + 1, end);
  const strings: string[] = [];
  for (const match of body.matchAll(/"((?:[^"\\]|\\.)*)"/gs)) {
    strings.push(
      (match[1] ?? "")
        .replace(/\\\n\s*/g, "")
        .replace(/\\"/g, '"'),
    );
  }
  return strings;
}

describe("wording, exactly as the core has it", () => {
  it("ONS4 questions and the two ends of each scale", () => {
    expect(questionnaires.ons4.questions.map((q) => q.text)).toEqual(rustStrings("ONS4_ITEMS"));
    const [low, high] = rustStrings("ONS4_ANCHORS");
    const first = questionnaires.ons4.questions[0]!.options;
    expect(first.map((o) => o.value)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect([first[0]!.anchor, first[10]!.anchor]).toEqual([low, high]);
    const anxiety = questionnaires.ons4.questions[3]!.options;
    expect([anxiety[0]!.anchor, anxiety[10]!.anchor]).toEqual(rustStrings("ONS4_ANXIETY_ANCHORS"));
  });

  it("SWEMWBS statements, the five answers 1 to 5, and the period", () => {
    expect(questionnaires.swemwbs.questions.map((q) => q.text)).toEqual(rustStrings("SWEMWBS_ITEMS"));
    for (const question of questionnaires.swemwbs.questions) {
      expect(question.options.map((o) => o.label)).toEqual(rustStrings("SWEMWBS_ANSWERS"));
      expect(question.options.map((o) => o.value)).toEqual([1, 2, 3, 4, 5]);
    }
    expect(questionnaires.swemwbs.preamble?.toLowerCase()).toContain(rustStrings("SWEMWBS_PERIOD")[0]);
  });

  it("UCLA-3 questions and the three answers 1 to 3", () => {
    expect(questionnaires.ucla3.questions.map((q) => q.text)).toEqual(rustStrings("UCLA3_ITEMS"));
    for (const question of questionnaires.ucla3.questions) {
      expect(question.options.map((o) => o.label)).toEqual(rustStrings("UCLA3_ANSWERS"));
      expect(question.options.map((o) => o.value)).toEqual([1, 2, 3]);
    }
  });

  it("MYCaW questions and its 0 to 6 scales with their ends", () => {
    expect(MYCAW_CONCERN_QUESTION).toBe(rustStrings("MYCAW_CONCERN_QUESTION")[0]);
    expect(MYCAW_WELLBEING_QUESTION).toBe(rustStrings("MYCAW_WELLBEING_QUESTION")[0]);
    expect(mycawConcernScale.map((o) => o.value)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect([mycawConcernScale[0]!.anchor, mycawConcernScale[6]!.anchor]).toEqual(
      rustStrings("MYCAW_CONCERN_ANCHORS"),
    );
    expect([mycawWellbeingScale[0]!.anchor, mycawWellbeingScale[6]!.anchor]).toEqual(
      rustStrings("MYCAW_WELLBEING_ANCHORS"),
    );
  });
});

describe("answered and missing", () => {
  it("counts answers and names each unanswered question", () => {
    const form = emptyMeasureForm();
    form.ucla3 = [2, null, 3];
    expect(answeredCount("ucla3", form)).toEqual({ answered: 2, of: 3 });
    expect(answeredWords("ucla3", form)).toBe("2 of 3 answered");
    const missing = missingAnswers("ucla3", form);
    expect(missing).toHaveLength(1);
    expect(missing[0]!.message).toBe("Answer question 2: How often do you feel left out?");
    expect(missing[0]!.fieldId).toBe("ucla3-q2-answer-1");
  });

  it("an ONS4 answer of 0 counts as answered (0 is a real answer)", () => {
    const form = emptyMeasureForm();
    form.ons4 = [0, 0, 0, null];
    expect(answeredCount("ons4", form)).toEqual({ answered: 3, of: 4 });
    expect(missingAnswers("ons4", form).map((m) => m.fieldId)).toEqual(["ons4-q4-answer-0"]);
  });

  it("a complete SWEMWBS has nothing missing", () => {
    const form = emptyMeasureForm();
    form.swemwbs = [1, 2, 3, 4, 5, 4, 3];
    expect(missingAnswers("swemwbs", form)).toEqual([]);
    expect(answeredWords("swemwbs", form)).toBe("7 of 7 answered");
  });

  it("MYCaW needs each concern's words and rating, and wellbeing", () => {
    const form = emptyMeasureForm();
    expect(answeredCount("mycaw", form)).toEqual({ answered: 0, of: 2 });
    expect(missingAnswers("mycaw", form).map((m) => m.fieldId)).toEqual([
      "mycaw-concern-1-words",
      "mycaw-concern-1-rating-0",
      "mycaw-wellbeing-rating-0",
    ]);
    form.mycaw.concerns[0] = { words: "  ", rating: 0 };
    form.mycaw.wellbeing = 6;
    expect(missingAnswers("mycaw", form).map((m) => m.fieldId)).toEqual(["mycaw-concern-1-words"]);
    form.mycaw.concerns[0] = { words: "Getting out of the house", rating: 0 };
    form.mycaw.concerns.push({ words: "Sleep", rating: null });
    expect(answeredCount("mycaw", form)).toEqual({ answered: 2, of: 3 });
    expect(missingAnswers("mycaw", form).map((m) => m.message)).toEqual([
      "Choose how much concern 2 bothers them (0 to 6)",
    ]);
  });
});

describe("answers sent to Rust", () => {
  it("keeps unanswered items as null, never a guess", () => {
    const form = emptyMeasureForm();
    form.swemwbs = [3, null, 3, 3, null, 3, 3];
    expect(toMeasureAnswers("swemwbs", form)).toEqual({
      measure: "swemwbs",
      items: [3, null, 3, 3, null, 3, 3],
    });
  });

  it("trims MYCaW concerns and keeps their order", () => {
    const form = emptyMeasureForm();
    form.mycaw = {
      concerns: [
        { words: " Feeling alone ", rating: 5 },
        { words: "Money", rating: 3 },
      ],
      wellbeing: 4,
    };
    expect(toMeasureAnswers("mycaw", form)).toEqual({
      measure: "mycaw",
      concerns: [
        { in_own_words: "Feeling alone", rating: 5 },
        { in_own_words: "Money", rating: 3 },
      ],
      wellbeing: 4,
    });
  });
});

describe("scores as Rust computed them", () => {
  it("ONS4 shows each item with its band, never a sum", () => {
    const lines = scoreLines({
      measure: "ons4",
      life_satisfaction: { value: 7, band: "high" },
      worthwhile: { value: 5, band: "medium" },
      happiness: { value: 9, band: "very_high" },
      anxiety: { value: 2, band: "low" },
    });
    expect(lines.map((l) => `${l.label} ${l.value} ${l.detail}`)).toEqual([
      "Life satisfaction 7 of 10 high",
      "Worthwhile 5 of 10 medium",
      "Happiness 9 of 10 very high",
      "Anxiety 2 of 10 low",
    ]);
  });

  it("SWEMWBS shows the metric score with two decimals and its raw total", () => {
    const [line] = scoreLines({ measure: "swemwbs", raw_total: 22, metric_hundredths: 1998, metric: 19.98 });
    expect(line!.value).toBe("19.98");
    expect(line!.detail).toContain("raw total of 22");
  });

  it("UCLA-3 says when a total reads as lonely", () => {
    expect(scoreLines({ measure: "ucla3", total: 6, lonely: true })[0]!.detail).toContain("lonely");
    expect(scoreLines({ measure: "ucla3", total: 5, lonely: false })[0]!.detail).toBe("under 6");
  });

  it("MYCaW lists a second concern only when there is one", () => {
    expect(scoreLines({ measure: "mycaw", concern_1: 4, concern_2: null, wellbeing: 3 }).map((l) => l.label)).toEqual([
      "Concern 1",
      "Wellbeing",
    ]);
  });
});
