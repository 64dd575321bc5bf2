import { describe, expect, it } from "vitest";
import {
  clockTime,
  dateAndTime,
  dateProblem,
  isIsoDate,
  longDate,
  partsFromValue,
  readDate,
  shortDate,
  splitTypedDate,
  todayIso,
  valueFromParts,
  type DateParts,
} from "./dates";

const typed = (day: string, month: string, year: string): string =>
  valueFromParts({ day, month, year });

describe("dates in words", () => {
  it("writes a short date the same on every computer", () => {
    expect(shortDate("2026-12-03")).toBe("3 Dec 2026");
    expect(shortDate("2025-03-09")).toBe("9 Mar 2025");
    expect(shortDate("2024-12-31T23:59:00Z")).toBe("31 Dec 2024");
    expect(shortDate("2026-02-30")).toBe("2026-02-30");
    expect(shortDate("not a date")).toBe("not a date");
  });

  it("writes a long date with its weekday", () => {
    expect(longDate("2026-12-03")).toBe("Thursday 3 December 2026");
    expect(longDate("2025-05-12")).toBe("Monday 12 May 2025");
    expect(longDate("2024-02-29")).toBe("Thursday 29 February 2024");
    expect(longDate("soon")).toBe("soon");
  });

  it("reads a real ISO date only", () => {
    expect(isIsoDate("2024-02-29")).toBe(true);
    expect(isIsoDate("2025-02-29")).toBe(false);
    expect(isIsoDate("2025-13-01")).toBe(false);
    expect(isIsoDate("12/05/2025")).toBe(false);
    expect(isIsoDate("2025-05-12T10:00:00Z")).toBe(false);
  });

  it("gives today and times on this laptop's calendar and clock", () => {
    expect(todayIso(new Date(2025, 2, 7, 23, 59))).toBe("2025-03-07");
    expect(todayIso(new Date(2024, 11, 31, 0, 0))).toBe("2024-12-31");
    const instant = new Date(2026, 11, 3, 14, 32, 5).toISOString();
    expect(clockTime(instant)).toBe("14:32:05");
    expect(clockTime(instant, false)).toBe("14:32");
    expect(dateAndTime(instant)).toBe("3 Dec 2026 at 14:32");
    expect(dateAndTime("whenever")).toBe("whenever");
  });
});

describe("the day / month / year date input", () => {
  it("stores a typed UK date as that date, never the month first", () => {
    expect(typed("3", "12", "2026")).toBe("2026-12-03");
    expect(typed("03", "12", "2026")).toBe("2026-12-03");
    expect(typed("12", "3", "2026")).toBe("2026-03-12");
    expect(typed(" 9 ", " 03 ", " 1941 ")).toBe("1941-03-09");
  });

  it("keeps nothing typed as nothing", () => {
    expect(typed("", "", "")).toBe("");
    expect(typed(" ", "", "  ")).toBe("");
    expect(readDate("", "Date of birth")).toEqual({ kind: "empty" });
    expect(dateProblem("", "Date of birth")).toBeNull();
  });

  it.each([
    ["31", "2", "2026", "day"],
    ["29", "2", "2027", "day"],
    ["31", "4", "2026", "day"],
    ["0", "12", "2026", "day"],
    ["32", "1", "2026", "day"],
    ["3", "13", "2026", "month"],
    ["3", "0", "2026", "month"],
    ["003", "12", "2026", "day"],
    ["three", "12", "2026", "day"],
    ["3", "Dec", "2026", "month"],
  ])("refuses %s/%s/%s as not a real date, pointing at the %s", (day, month, year, part) => {
    const value = typed(day, month, year);
    expect(isIsoDate(value)).toBe(false);
    expect(readDate(value, "Date received")).toEqual({
      kind: "problem",
      message: "Date received must be a real date",
      parts: [part],
    });
  });

  it("knows leap years", () => {
    expect(typed("29", "2", "2024")).toBe("2024-02-29");
    expect(typed("29", "2", "2000")).toBe("2000-02-29");
    expect(dateProblem(typed("29", "2", "1900"), "Date of birth")).toBe(
      "Date of birth must be a real date",
    );
    expect(dateProblem(typed("29", "2", "2027"), "Date of birth")).toBe(
      "Date of birth must be a real date",
    );
  });

  it.each([
    [["3", "12", ""], "Date received must include a year", ["year"]],
    [["3", "", "2026"], "Date received must include a month", ["month"]],
    [["", "12", "2026"], "Date received must include a day", ["day"]],
    [["", "", "2026"], "Date received must include a day and a month", ["day", "month"]],
    [["3", "", ""], "Date received must include a month and a year", ["month", "year"]],
  ])("names what a partial date %j lacks", ([day, month, year], message, parts) => {
    const value = typed(day!, month!, year!);
    expect(value).not.toBe("");
    expect(isIsoDate(value)).toBe(false);
    expect(readDate(value, "Date received")).toEqual({ kind: "problem", message, parts });
  });

  it("refuses a two-digit year with a message, rather than guessing the century", () => {
    for (const year of ["26", "7", "202"]) {
      expect(readDate(typed("3", "12", year), "Date received")).toEqual({
        kind: "problem",
        message: "Date received must have the year in full, for example 2026",
        parts: ["year"],
      });
    }
    expect(dateProblem(typed("3", "12", "20266"), "Date received")).toBe(
      "Date received must be a real date",
    );
  });

  it("refuses a year before 1900 as a slip of the keyboard", () => {
    expect(readDate(typed("3", "12", "0026"), "Date received")).toEqual({
      kind: "problem",
      message: "Date received must be in 1900 or later",
      parts: ["year"],
    });
    expect(typed("1", "1", "1900")).toBe("1900-01-01");
  });

  it("shows a value in the fields as it was typed, and a date without leading zeros", () => {
    const round = (parts: DateParts) => partsFromValue(valueFromParts(parts));
    expect(round({ day: "31", month: "2", year: "2026" })).toEqual({
      day: "31",
      month: "2",
      year: "2026",
    });
    expect(round({ day: "", month: "12", year: "26" })).toEqual({
      day: "",
      month: "12",
      year: "26",
    });
    expect(partsFromValue("2026-12-03")).toEqual({ day: "3", month: "12", year: "2026" });
    expect(partsFromValue("")).toEqual({ day: "", month: "", year: "" });
    expect(partsFromValue("rubbish")).toEqual({ day: "", month: "", year: "" });
    // A value from elsewhere that is neither a date nor typed parts is a problem, not empty.
    expect(dateProblem("rubbish", "Date received")).toBe("Date received must be a real date");
  });

  it("spreads a whole date typed into Day over the three fields, the UK way", () => {
    expect(splitTypedDate("3/12/2026")).toEqual({ day: "3", month: "12", year: "2026" });
    expect(splitTypedDate("03-12-2026")).toEqual({ day: "03", month: "12", year: "2026" });
    expect(splitTypedDate("3.12.26")).toEqual({ day: "3", month: "12", year: "26" });
    expect(splitTypedDate("3 12 2026")).toEqual({ day: "3", month: "12", year: "2026" });
    expect(splitTypedDate("3")).toBeNull();
    expect(splitTypedDate("2026-12-03")).toBeNull();
  });
});
