// The outcome questionnaires (ONS4, SWEMWBS, UCLA-3, MYCaW) with their exact wording and answer
// scales from domain.md, the form's state, what is still unanswered, and the answers sent to Rust.
// Scoring is Rust's alone: nothing here computes a score.
import type { MeasureAnswers, MeasureKind, MeasureScore } from "./bindings";
import { anxietyBandWords, wellbeingBandWords } from "./words";

/** One answer on a scale: the value sent to Rust and the words shown beside it. */
export interface ScaleOption {
  value: number;
  label: string;
  /** Words for an end of a numeric scale ("not at all"), shown under the number. */
  anchor?: string;
}

/** One question (or statement) with its answer scale. */
export interface Question {
  /** 1-based item number, as Rust numbers them in its messages. */
  number: number;
  text: string;
  short: string;
  options: ScaleOption[];
  /** Numbers in a row (ONS4, MYCaW) rather than words in a column. */
  numeric: boolean;
}

export interface Questionnaire {
  kind: MeasureKind;
  title: string;
  /** What it measures, for the choice of questionnaire. */
  about: string;
  /** Said before the questions (e.g. SWEMWBS's period). */
  preamble: string | null;
  questions: Question[];
}

function numericScale(min: number, max: number, low: string, high: string): ScaleOption[] {
  const options: ScaleOption[] = [];
  for (let value = min; value <= max; value++) {
    const anchor = value === min ? low : value === max ? high : undefined;
    options.push({ value, label: String(value), anchor });
  }
  return options;
}

function wordScale(words: string[]): ScaleOption[] {
  return words.map((label, index) => ({ value: index + 1, label }));
}

const ons4Scale = numericScale(0, 10, "not at all", "completely");
const ons4AnxietyScale = numericScale(0, 10, "not at all anxious", "completely anxious");
const swemwbsScale = wordScale([
  "None of the time",
  "Rarely",
  "Some of the time",
  "Often",
  "All of the time",
]);
const uclaScale = wordScale(["Hardly ever", "Some of the time", "Often"]);
export const mycawConcernScale = numericScale(0, 6, "not bothering me at all", "bothers me greatly");
export const mycawWellbeingScale = numericScale(
  0,
  6,
  "as good as it could be",
  "as bad as it could be",
);

/** The MYCaW concern question (as Kith's core words it; wording to confirm). */
export const MYCAW_CONCERN_QUESTION =
  "Please write down one or two concerns or problems which you would most like us to help you " +
  "with, and rate how severe each one is now.";
export const MYCAW_WELLBEING_QUESTION = "How would you rate your general feeling of wellbeing now?";

export const questionnaires: Record<MeasureKind, Questionnaire> = {
  ons4: {
    kind: "ons4",
    title: "ONS4 personal wellbeing",
    about: "Four questions, each answered from 0 to 10.",
    preamble: null,
    questions: [
      {
        number: 1,
        text: "Overall, how satisfied are you with your life nowadays?",
        short: "Life satisfaction",
        options: ons4Scale,
        numeric: true,
      },
      {
        number: 2,
        text: "Overall, to what extent do you feel that the things you do in your life are worthwhile?",
        short: "Worthwhile",
        options: ons4Scale,
        numeric: true,
      },
      {
        number: 3,
        text: "Overall, how happy did you feel yesterday?",
        short: "Happiness",
        options: ons4Scale,
        numeric: true,
      },
      {
        number: 4,
        text:
          'On a scale where 0 is "not at all anxious" and 10 is "completely anxious", overall, ' +
          "how anxious did you feel yesterday?",
        short: "Anxiety",
        options: ons4AnxietyScale,
        numeric: true,
      },
    ],
  },
  swemwbs: {
    kind: "swemwbs",
    title: "SWEMWBS (short Warwick-Edinburgh Mental Wellbeing Scale)",
    about: "Seven statements about the last 2 weeks.",
    preamble: "Over the last 2 weeks:",
    questions: [
      "I've been feeling optimistic about the future",
      "I've been feeling useful",
      "I've been feeling relaxed",
      "I've been dealing with problems well",
      "I've been thinking clearly",
      "I've been feeling close to other people",
      "I've been able to make up my own mind about things",
    ].map((text, index) => ({
      number: index + 1,
      text,
      short: text.replace(/^I've been /, ""),
      options: swemwbsScale,
      numeric: false,
    })),
  },
  ucla3: {
    kind: "ucla3",
    title: "UCLA 3-item loneliness scale",
    about: "Three questions about feeling lonely.",
    preamble: null,
    questions: [
      "How often do you feel that you lack companionship?",
      "How often do you feel left out?",
      "How often do you feel isolated from others?",
    ].map((text, index) => ({
      number: index + 1,
      text,
      short: ["Lack companionship", "Left out", "Isolated from others"][index] ?? text,
      options: uclaScale,
      numeric: false,
    })),
  },
  mycaw: {
    kind: "mycaw",
    title: "MYCaW (Measure Yourself Concerns and Wellbeing)",
    about: "One or two concerns in the person's own words, and general wellbeing, each 0 to 6.",
    preamble: null,
    questions: [],
  },
};

export const measureOrder: MeasureKind[] = ["ons4", "swemwbs", "ucla3", "mycaw"];

/** Short names for headings and tables. */
export const measureShortNames: Record<MeasureKind, string> = {
  ons4: "ONS4",
  swemwbs: "SWEMWBS",
  ucla3: "UCLA-3",
  mycaw: "MYCaW",
};

// ---- The form ----

export interface MycawConcernForm {
  words: string;
  rating: number | null;
}

/** What has been entered so far, for each questionnaire (switching keeps what was typed). */
export interface MeasureForm {
  ons4: (number | null)[];
  swemwbs: (number | null)[];
  ucla3: (number | null)[];
  mycaw: { concerns: MycawConcernForm[]; wellbeing: number | null };
}

export function emptyMeasureForm(): MeasureForm {
  return {
    ons4: [null, null, null, null],
    swemwbs: [null, null, null, null, null, null, null],
    ucla3: [null, null, null],
    mycaw: { concerns: [{ words: "", rating: null }], wellbeing: null },
  };
}

/** Something the questionnaire still needs, with the id of the field that fixes it. */
export interface Missing {
  fieldId: string;
  message: string;
}

/** The id of the first radio button of a question (what an error links to). */
export function questionFieldId(kind: MeasureKind, number: number): string {
  return `${kind}-q${number}-answer-${questionnaires[kind].questions[0]?.options[0]?.value ?? 0}`;
}

export const mycawWordsId = (index: number) => `mycaw-concern-${index + 1}-words`;
export const mycawRatingId = (index: number) => `mycaw-concern-${index + 1}-rating-0`;
export const MYCAW_WELLBEING_ID = "mycaw-wellbeing-rating-0";

/** Everything still to answer, in the order it appears. Empty means complete. */
export function missingAnswers(kind: MeasureKind, form: MeasureForm): Missing[] {
  if (kind === "mycaw") {
    const missing: Missing[] = [];
    form.mycaw.concerns.forEach((concern, index) => {
      const which = `concern ${index + 1}`;
      if (concern.words.trim() === "") {
        missing.push({
          fieldId: mycawWordsId(index),
          message: `Write ${which} in the person's own words`,
        });
      }
      if (concern.rating === null) {
        missing.push({
          fieldId: mycawRatingId(index),
          message: `Choose how much ${which} bothers them (0 to 6)`,
        });
      }
    });
    if (form.mycaw.wellbeing === null) {
      missing.push({
        fieldId: MYCAW_WELLBEING_ID,
        message: "Choose their general feeling of wellbeing (0 to 6)",
      });
    }
    return missing;
  }
  const answers = form[kind];
  return questionnaires[kind].questions
    .filter((question) => answers[question.number - 1] === null)
    .map((question) => ({
      fieldId: questionFieldId(kind, question.number),
      message: `Answer question ${question.number}: ${question.text}`,
    }));
}

/** How many of the questionnaire's items are answered, of how many. A MYCaW concern counts as
 *  answered when it has both its words and its rating. */
export function answeredCount(kind: MeasureKind, form: MeasureForm): { answered: number; of: number } {
  if (kind === "mycaw") {
    const concerns = form.mycaw.concerns;
    const done = concerns.filter((c) => c.words.trim() !== "" && c.rating !== null).length;
    return { answered: done + (form.mycaw.wellbeing === null ? 0 : 1), of: concerns.length + 1 };
  }
  const answers = form[kind];
  return { answered: answers.filter((answer) => answer !== null).length, of: answers.length };
}

/** "3 of 7 answered". */
export function answeredWords(kind: MeasureKind, form: MeasureForm): string {
  const { answered, of } = answeredCount(kind, form);
  return `${answered} of ${of} answered`;
}

/** The answers as Rust takes them (unanswered items are null: Rust then refuses to score). */
export function toMeasureAnswers(kind: MeasureKind, form: MeasureForm): MeasureAnswers {
  switch (kind) {
    case "ons4": {
      const [a = null, b = null, c = null, d = null] = form.ons4;
      return { measure: "ons4", items: [a, b, c, d] };
    }
    case "swemwbs": {
      const [a = null, b = null, c = null, d = null, e = null, f = null, g = null] = form.swemwbs;
      return { measure: "swemwbs", items: [a, b, c, d, e, f, g] };
    }
    case "ucla3": {
      const [a = null, b = null, c = null] = form.ucla3;
      return { measure: "ucla3", items: [a, b, c] };
    }
    case "mycaw":
      return {
        measure: "mycaw",
        concerns: form.mycaw.concerns.map((concern) => ({
          in_own_words: concern.words.trim(),
          rating: concern.rating,
        })),
        wellbeing: form.mycaw.wellbeing,
      };
  }
}

// ---- Scores, as Rust computed them ----

/** One line of a score, e.g. { label: "Anxiety", value: "3", detail: "low" }. */
export interface ScoreLine {
  label: string;
  value: string;
  detail: string | null;
}

/** A score in lines for the "saved" panel: each ONS4 item with its band (never a sum), the
 *  SWEMWBS metric score with its raw total, the UCLA-3 total, each MYCaW rating. */
export function scoreLines(score: MeasureScore): ScoreLine[] {
  switch (score.measure) {
    case "ons4":
      return [
        ["Life satisfaction", score.life_satisfaction.value, wellbeingBandWords[score.life_satisfaction.band]],
        ["Worthwhile", score.worthwhile.value, wellbeingBandWords[score.worthwhile.band]],
        ["Happiness", score.happiness.value, wellbeingBandWords[score.happiness.band]],
        ["Anxiety", score.anxiety.value, anxietyBandWords[score.anxiety.band]],
      ].map(([label, value, band]) => ({
        label: String(label),
        value: `${value} of 10`,
        detail: `${String(band).toLowerCase()}`,
      }));
    case "swemwbs":
      return [
        {
          label: "Metric score",
          value: score.metric.toFixed(2),
          detail: `from a raw total of ${score.raw_total} (7 to 35)`,
        },
      ];
    case "ucla3":
      return [
        {
          label: "Total",
          value: `${score.total} of 9`,
          detail: score.lonely ? "6 or more is commonly read as lonely" : "under 6",
        },
      ];
    case "mycaw": {
      const lines: ScoreLine[] = [{ label: "Concern 1", value: `${score.concern_1} of 6`, detail: null }];
      if (score.concern_2 !== null) {
        lines.push({ label: "Concern 2", value: `${score.concern_2} of 6`, detail: null });
      }
      lines.push({ label: "Wellbeing", value: `${score.wellbeing} of 6`, detail: null });
      return lines;
    }
  }
}
