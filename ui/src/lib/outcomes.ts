// One person's change on each outcome measure: the baseline and follow-up Rust scored (paired as
// kith-domain pairs them: the earliest baseline, the latest follow-up on or after it), item by
// item, with which direction is better. Feeds the chart and the table beside it.
import type { Measure, MeasureKind, MeasureScore, PersonRecord } from "./bindings";
import { measureOrder } from "./measures";
import { anxietyBandWords, wellbeingBandWords } from "./words";

/** A measure as the timeline gives it: the answers and Rust's score (null when incomplete). */
export interface ScoredMeasure {
  measure: Measure;
  score: MeasureScore | null;
}

export type Better = "higher" | "lower";

/** One item's baseline and follow-up values. */
export interface ItemChange {
  key: string;
  label: string;
  min: number;
  max: number;
  better: Better;
  baseline: number | null;
  followUp: number | null;
  /** A band or reading beside the value ("high"), when the measure has one. */
  baselineBand: string | null;
  followUpBand: string | null;
}

export interface MeasureChange {
  kind: MeasureKind;
  title: string;
  /** "Higher is better." / "Lower is better." (ONS4 says it per item). */
  betterSentence: string;
  baseline: ScoredMeasure | null;
  followUp: ScoredMeasure | null;
  items: ItemChange[];
}

export const measureTitles: Record<MeasureKind, string> = {
  ons4: "ONS4 personal wellbeing",
  swemwbs: "SWEMWBS mental wellbeing",
  ucla3: "UCLA-3 loneliness",
  mycaw: "MYCaW concerns and wellbeing",
};

const betterSentences: Record<MeasureKind, string> = {
  ons4: "For life satisfaction, worthwhile and happiness higher is better; for anxiety lower is better.",
  swemwbs: "Higher is better (metric score, 7 to 35).",
  ucla3: "Lower is better: a lower total means less lonely (3 to 9; 6 or more is commonly read as lonely).",
  mycaw: "Lower is better (0 to 6): the concern bothers them less, wellbeing is nearer as good as it could be.",
};

/** The scored measures on a person's timeline. */
export function scoredMeasures(record: PersonRecord): ScoredMeasure[] {
  const found: ScoredMeasure[] = [];
  for (const entry of record.timeline) {
    if (entry.item.kind === "measure") {
      found.push({ measure: entry.item.measure, score: entry.item.score });
    }
  }
  return found;
}

function byDateThenId(a: ScoredMeasure, b: ScoredMeasure): number {
  const date = a.measure.taken_on.localeCompare(b.measure.taken_on);
  return date !== 0 ? date : a.measure.id.localeCompare(b.measure.id);
}

/** The pair to compare for one measure: the earliest scored baseline and the latest scored
 *  follow-up on or after it. Either can be null (not taken yet). */
export function pairFor(
  measures: ScoredMeasure[],
  kind: MeasureKind,
): { baseline: ScoredMeasure | null; followUp: ScoredMeasure | null } {
  const ofKind = measures
    .filter((m) => m.measure.answers.measure === kind && m.score !== null)
    .sort(byDateThenId);
  const baseline = ofKind.find((m) => m.measure.timing === "baseline") ?? null;
  const followUps = ofKind.filter(
    (m) =>
      m.measure.timing === "follow_up" &&
      (baseline === null || m.measure.taken_on >= baseline.measure.taken_on),
  );
  return { baseline, followUp: followUps[followUps.length - 1] ?? null };
}

interface ItemValue {
  value: number;
  band: string | null;
}

/** Each item's value from a score, keyed as the report keys them. */
function itemValues(score: MeasureScore): Record<string, ItemValue> {
  const lower = (words: string) => words.toLowerCase();
  switch (score.measure) {
    case "ons4":
      return {
        life_satisfaction: {
          value: score.life_satisfaction.value,
          band: lower(wellbeingBandWords[score.life_satisfaction.band]),
        },
        worthwhile: { value: score.worthwhile.value, band: lower(wellbeingBandWords[score.worthwhile.band]) },
        happiness: { value: score.happiness.value, band: lower(wellbeingBandWords[score.happiness.band]) },
        anxiety: { value: score.anxiety.value, band: lower(anxietyBandWords[score.anxiety.band]) },
      };
    case "swemwbs":
      return { metric_score: { value: score.metric, band: `raw total ${score.raw_total}` } };
    case "ucla3":
      return { total: { value: score.total, band: score.lonely ? "lonely" : null } };
    case "mycaw": {
      const values: Record<string, ItemValue> = {
        concern_1: { value: score.concern_1, band: null },
        wellbeing: { value: score.wellbeing, band: null },
      };
      if (score.concern_2 !== null) values.concern_2 = { value: score.concern_2, band: null };
      return values;
    }
  }
}

interface ItemShape {
  key: string;
  label: string;
  min: number;
  max: number;
  better: Better;
}

function itemShapes(kind: MeasureKind, concernWords: string[]): ItemShape[] {
  switch (kind) {
    case "ons4":
      return [
        { key: "life_satisfaction", label: "Life satisfaction", min: 0, max: 10, better: "higher" },
        { key: "worthwhile", label: "Worthwhile", min: 0, max: 10, better: "higher" },
        { key: "happiness", label: "Happiness", min: 0, max: 10, better: "higher" },
        { key: "anxiety", label: "Anxiety", min: 0, max: 10, better: "lower" },
      ];
    case "swemwbs":
      return [{ key: "metric_score", label: "Metric score", min: 7, max: 35, better: "higher" }];
    case "ucla3":
      return [{ key: "total", label: "Loneliness total", min: 3, max: 9, better: "lower" }];
    case "mycaw": {
      const concern = (index: number) => {
        const words = concernWords[index];
        return words ? `Concern ${index + 1}: ${words}` : `Concern ${index + 1}`;
      };
      const shapes: ItemShape[] = [
        { key: "concern_1", label: concern(0), min: 0, max: 6, better: "lower" },
      ];
      if (concernWords.length > 1) {
        shapes.push({ key: "concern_2", label: concern(1), min: 0, max: 6, better: "lower" });
      }
      shapes.push({ key: "wellbeing", label: "Wellbeing", min: 0, max: 6, better: "lower" });
      return shapes;
    }
  }
}

/** Each measure the person has a scored answer for, with the items to chart. */
export function measureChanges(measures: ScoredMeasure[]): MeasureChange[] {
  const changes: MeasureChange[] = [];
  for (const kind of measureOrder) {
    const { baseline, followUp } = pairFor(measures, kind);
    if (baseline === null && followUp === null) continue;
    const first = baseline ?? followUp;
    const concernWords =
      first?.measure.answers.measure === "mycaw"
        ? first.measure.answers.concerns.map((concern) => concern.in_own_words)
        : [];
    const before = baseline?.score ? itemValues(baseline.score) : {};
    const after = followUp?.score ? itemValues(followUp.score) : {};
    changes.push({
      kind,
      title: measureTitles[kind],
      betterSentence: betterSentences[kind],
      baseline,
      followUp,
      items: itemShapes(kind, concernWords).map((shape) => ({
        ...shape,
        baseline: before[shape.key]?.value ?? null,
        followUp: after[shape.key]?.value ?? null,
        baselineBand: before[shape.key]?.band ?? null,
        followUpBand: after[shape.key]?.band ?? null,
      })),
    });
  }
  return changes;
}

/** The change signed so that positive means better; null without both values. */
export function improvement(item: ItemChange): number | null {
  if (item.baseline === null || item.followUp === null) return null;
  const raw = item.better === "higher" ? item.followUp - item.baseline : item.baseline - item.followUp;
  return Math.round(raw * 100) / 100;
}

/** A value as shown: SWEMWBS's metric score with two decimals, whole numbers as they are. */
export function showValue(value: number | null): string {
  if (value === null) return "—";
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

/** "Better by 3", "Worse by 1.25", "No change", or "Not yet" without a follow-up. */
export function changeWords(item: ItemChange): string {
  const change = improvement(item);
  if (change === null) return item.baseline === null ? "No baseline" : "No follow-up yet";
  if (change === 0) return "No change";
  return `${change > 0 ? "Better" : "Worse"} by ${showValue(Math.abs(change))}`;
}

/** A value with its band, e.g. "7 (high)". */
export function valueWithBand(value: number | null, band: string | null): string {
  if (value === null) return "—";
  return band ? `${showValue(value)} (${band})` : showValue(value);
}

/** Where a value sits along a track `width` wide for the item's scale. */
export function positionOn(value: number, min: number, max: number, width: number): number {
  if (max <= min) return 0;
  const clamped = Math.min(max, Math.max(min, value));
  return ((clamped - min) / (max - min)) * width;
}
