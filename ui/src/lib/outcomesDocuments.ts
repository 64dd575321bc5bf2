// Words for the printable documents: the message back to the GP and the subject access export.
// Field names become readable labels, codes become words, and every field of a held record is
// listed (a subject access copy must leave nothing out).
import type { ConsentKind, DischargeReason } from "./bindings";
import { contactMethodWords, dischargeReasonWords, wordsFor } from "./words";

/** "given_name" → "Given name"; "nhs_number" → "NHS number". */
export function fieldLabel(key: string): string {
  const special: Record<string, string> = {
    nhs_number: "NHS number",
    gp_practice: "GP practice",
    id: "Record id",
    line_1: "Address line 1",
    line_2: "Address line 2",
  };
  if (special[key]) return special[key];
  const words = key.replace(/_/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A scalar value in words. */
export function scalarWords(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "boolean") return value ? "Yes" : "No";
  if (typeof value === "string") {
    if (/^[a-z]+(_[a-z]+)+$/.test(value) || /^[a-z]+$/.test(value)) {
      return fieldLabel(value);
    }
    return value;
  }
  if (typeof value === "number") return String(value);
  return JSON.stringify(value);
}

/** One row of a readable record: a label and either words, or nested rows, or a list. */
export type FieldRow =
  | { label: string; kind: "text"; text: string }
  | { label: string; kind: "group"; rows: FieldRow[] }
  | { label: string; kind: "list"; items: (string | FieldRow[])[] };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Every field of `record`, in order, as readable rows (ids and all: nothing is left out). */
export function fieldRows(record: Record<string, unknown>): FieldRow[] {
  return Object.entries(record).map(([key, value]) => fieldRow(fieldLabel(key), value));
}

function fieldRow(label: string, value: unknown): FieldRow {
  if (Array.isArray(value)) {
    if (value.length === 0) return { label, kind: "text", text: "None" };
    return {
      label,
      kind: "list",
      items: value.map((item) => (isPlainObject(item) ? fieldRows(item) : scalarWords(item))),
    };
  }
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    // A tagged code such as {"other": "words"} or {"kind": "share_with_gp"}.
    if (keys.length === 1 && keys[0] === "other") {
      return { label, kind: "text", text: `Other: ${scalarWords(value.other)}` };
    }
    return { label, kind: "group", rows: fieldRows(value) };
  }
  return { label, kind: "text", text: scalarWords(value) };
}

/** What a consent covers, in words. */
export function consentKindWords(kind: ConsentKind): string {
  switch (kind.kind) {
    case "social_prescribing":
      return "Social prescribing";
    case "share_with_gp":
      return "Sharing with their GP";
    case "share_with_organisation":
      return `Sharing with ${kind.name}`;
    case "contact_by":
      return `Contact by ${contactMethodWords[kind.method].toLowerCase()}`;
  }
}

export function dischargeReasonText(reason: DischargeReason): string {
  return wordsFor(reason, dischargeReasonWords);
}

/** A file name for a download: letters, digits and dashes only. */
export function safeFileName(stem: string, extension: string): string {
  const cleaned = stem
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return `${cleaned || "kith"}.${extension}`;
}
