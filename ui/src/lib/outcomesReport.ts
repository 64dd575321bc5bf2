// The reports screen's small pieces of logic: the default date range, checking a range, bar
// lengths for the charts, the caseload against the 200–250 a year guidance in words, and
// the CSV file's name. The figures themselves all come from Rust's Report.
import type { CaseloadOverTime, GuidanceComparison, OutcomeChange } from "./bindings";
import { dateError, todayIso } from "./dates";

/** The last 12 months up to today: from the same day a year ago plus one, to today. */
export function defaultRange(now = new Date()): { from: string; to: string } {
  const from = new Date(now.getFullYear() - 1, now.getMonth(), now.getDate() + 1);
  return { from: todayIso(from), to: todayIso(now) };
}

export interface RangeErrors {
  from?: string;
  to?: string;
}

/** What is wrong with a range, in words that say how to fix it. */
export function checkRange(from: string, to: string): RangeErrors {
  const errors: RangeErrors = {};
  const fromError = dateError(
    from,
    "The first day of the report",
    "Enter the first day of the report, for example 1 4 2025",
  );
  const toError = dateError(
    to,
    "The last day of the report",
    "Enter the last day of the report, for example 31 3 2026",
  );
  if (fromError) errors.from = fromError;
  if (toError) errors.to = toError;
  if (!errors.from && !errors.to && from > to) {
    errors.to = "The last day must be the same as or after the first day";
  }
  return errors;
}

/** A bar's length out of `width` for `value` against the largest value shown. A non-zero value
 *  always gets a sliver, so it is not mistaken for zero. */
export function barLength(value: number, largest: number, width: number): number {
  if (value <= 0 || largest <= 0) return 0;
  return Math.max(2, (value / largest) * width);
}

/** A fraction as a percentage with one decimal ("12.5%"), or "—". */
export function percent(fraction: number | null): string {
  return fraction === null ? "—" : `${(fraction * 100).toFixed(1)}%`;
}

/** A mean with one or two decimals, or "—". */
export function decimal(value: number | null, places = 1): string {
  return value === null ? "—" : value.toFixed(places);
}

const guidanceWords: Record<GuidanceComparison, string> = {
  below: "below the guidance",
  within: "within the guidance",
  above: "above the guidance",
};

/** The caseload against the 200–250 people a year guidance, in one sentence. */
export function caseloadSentence(caseload: CaseloadOverTime): string {
  const range = `${caseload.guidance_low}–${caseload.guidance_high} people a year per full-time link worker`;
  if (caseload.people_a_year_per_link_worker === null || caseload.against_guidance === null) {
    return `${caseload.people_supported} people were supported. With no link worker assigned, Kith cannot compare this with the guidance of ${range}.`;
  }
  const perYear = Math.round(caseload.people_a_year_per_link_worker);
  const workers = caseload.link_workers === 1 ? "1 link worker" : `${caseload.link_workers} link workers`;
  return (
    `${caseload.people_supported} people supported by ${workers}: about ${perYear} a year each, ` +
    `${guidanceWords[caseload.against_guidance]} of ${range}.`
  );
}

/** The guidance comparison alone ("within the guidance"), or null. */
export function guidanceLabel(comparison: GuidanceComparison | null): string | null {
  return comparison === null ? null : guidanceWords[comparison];
}

/** "Better when higher" / "Better when lower". */
export function betterWords(change: OutcomeChange): string {
  return change.better_when === "higher" ? "Higher is better" : "Lower is better";
}

/** A mean change (positive = better) in words. */
export function meanChangeWords(change: OutcomeChange): string {
  if (change.mean_change === null || change.n === 0) return "No one paired yet";
  const value = Math.abs(change.mean_change).toFixed(2);
  if (change.mean_change === 0) return "No change on average";
  return `${change.mean_change > 0 ? "Better" : "Worse"} by ${value} on average`;
}

/** The outcome rows grouped by measure, keeping Rust's order. */
export function groupOutcomes(outcomes: OutcomeChange[]): { measure: string; rows: OutcomeChange[] }[] {
  const groups: { measure: string; rows: OutcomeChange[] }[] = [];
  for (const row of outcomes) {
    const last = groups[groups.length - 1];
    if (last && last.measure === row.measure) last.rows.push(row);
    else groups.push({ measure: row.measure, rows: [row] });
  }
  return groups;
}

/** "kith-report-2025-04-01-to-2026-03-31.csv". */
export function csvFileName(from: string, to: string): string {
  return `kith-report-${from}-to-${to}.csv`;
}

/** "Mar 2026" for "2026-03". */
export function monthWords(month: string): string {
  const names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const match = /^(\d{4})-(\d{2})$/.exec(month);
  const name = match ? names[Number(match[2]) - 1] : undefined;
  return match && name ? `${name} ${match[1]}` : month;
}
