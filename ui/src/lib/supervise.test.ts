// Tests of supervision's words: worker names, review items, sign-off targets, the queue after
// marking reviewed, the caseload guidance bar and times.
import { describe, expect, it } from "vitest";
import type { LinkWorkerCaseload, ReviewItem, ReviewQueue } from "./bindings";
import {
  authorName,
  bandWords,
  commentAboutRecord,
  dateTimeWords,
  dayWords,
  guidanceBar,
  guidanceSentence,
  recordKey,
  reviewKindWords,
  signOffTarget,
  withoutReviewed,
  workerName,
} from "./supervise";

const workers = [
  { user_id: "u-ann", username: "ann.jones" },
  { user_id: "u-raj", username: "raj.patel" },
];

function item(kind: "note" | "care_plan" | "discharge" | "session", id: string): ReviewItem {
  return {
    record: { kind, id },
    date: "2025-03-09",
    changed_at: "2025-03-09T10:00:00Z",
    summary: `summary ${id}`,
    author: "u-ann",
  };
}

function queue(): ReviewQueue {
  return {
    waiting: 4,
    groups: [
      {
        link_worker: "u-ann",
        people: [
          {
            person_id: "p-ada",
            display_name: "Ada",
            open_concerns: 1,
            waiting: 2,
            items: [item("note", "n1"), item("care_plan", "c1")],
          },
          {
            person_id: "p-alan",
            display_name: "Alan",
            open_concerns: 0,
            waiting: 1,
            items: [item("note", "n2")],
          },
        ],
      },
      {
        link_worker: null,
        people: [
          { person_id: "p-bo", display_name: "Bo", open_concerns: 0, waiting: 1, items: [item("session", "s1")] },
        ],
      },
    ],
  };
}

function caseload(started: number, band: LinkWorkerCaseload["guidance"]): LinkWorkerCaseload {
  return {
    link_worker: "u-ann",
    people: started,
    active_people: 10,
    waiting_for_first_contact: 2,
    sessions_this_week: 5,
    overdue_follow_ups: 3,
    overdue_sessions: 2,
    overdue_reviews: 1,
    open_concerns: 1,
    people_started_in_last_year: started,
    guidance: band,
    guidance_min_per_year: 200,
    guidance_max_per_year: 250,
  };
}

describe("names", () => {
  it("names link workers by account name, 'Not assigned' for none", () => {
    expect(workerName("u-raj", workers)).toBe("raj.patel");
    expect(workerName(null, workers)).toBe("Not assigned");
    expect(workerName("u-gone", workers)).toBe("A link worker");
  });
  it("names an author who is not a link worker plainly", () => {
    expect(authorName("u-ann", workers)).toBe("ann.jones");
    expect(authorName("u-supervisor", workers)).toBe("Someone at the practice");
    expect(authorName(null, workers)).toBe("Not recorded");
  });
});

describe("review items", () => {
  it("says what each record is", () => {
    expect(reviewKindWords({ kind: "note", id: "n" })).toBe("Note");
    expect(reviewKindWords({ kind: "care_plan", id: "c" })).toBe("Care plan");
    expect(reviewKindWords({ kind: "person", id: "p" })).toBe("Personal details");
  });
  it("offers sign-off on plans and discharges only", () => {
    expect(signOffTarget({ kind: "care_plan", id: "c" })).toEqual({ kind: "care_plan", id: "c" });
    expect(signOffTarget({ kind: "discharge", id: "d" })).toEqual({ kind: "discharge", id: "d" });
    expect(signOffTarget({ kind: "note", id: "n" })).toBeNull();
    expect(signOffTarget({ kind: "session", id: "s" })).toBeNull();
  });
  it("comments on a record about that record, and on personal details about the person", () => {
    expect(commentAboutRecord({ kind: "note", id: "n" })).toEqual({ kind: "note", id: "n" });
    expect(commentAboutRecord({ kind: "person", id: "p" })).toEqual({ kind: "person" });
  });
  it("keys records by kind and id", () => {
    expect(recordKey({ kind: "note", id: "n1" })).toBe("note:n1");
    expect(recordKey({ kind: "care_plan", id: "n1" })).not.toBe(recordKey({ kind: "note", id: "n1" }));
  });
});

describe("withoutReviewed", () => {
  it("drops a reviewed item and keeps the person while others wait", () => {
    const after = withoutReviewed(queue(), [{ kind: "note", id: "n1" }]);
    expect(after.waiting).toBe(3);
    expect(after.groups[0].people[0].items.map((i) => i.record.id)).toEqual(["c1"]);
    expect(after.groups[0].people[0].waiting).toBe(1);
  });
  it("drops a whole person, and a group left empty", () => {
    const after = withoutReviewed(queue(), [{ kind: "person", id: "p-bo" }]);
    expect(after.groups).toHaveLength(1);
    expect(after.waiting).toBe(3);
  });
  it("leaves nothing when everything is reviewed", () => {
    const after = withoutReviewed(queue(), [
      { kind: "person", id: "p-ada" },
      { kind: "note", id: "n2" },
      { kind: "session", id: "s1" },
    ]);
    expect(after).toEqual({ groups: [], waiting: 0 });
  });
});

describe("caseload guidance", () => {
  it("says the band in words", () => {
    expect(bandWords("below_guidance")).toBe("Below the guidance");
    expect(bandWords("well_above_guidance")).toBe("Well above the guidance");
  });
  it("puts the figure and the band in one sentence", () => {
    expect(guidanceSentence(caseload(1, "below_guidance"))).toBe(
      "1 person started in the last 12 months; the guidance is 200–250 a year.",
    );
    expect(guidanceSentence(caseload(230, "within_guidance"))).toContain("230 people");
  });
  it("places the guidance range and the caseload on one scale", () => {
    const bar = guidanceBar(caseload(175, "below_guidance"));
    expect(bar.rangeStart).toBeCloseTo((200 / 350) * 100, 0);
    expect(bar.rangeEnd).toBeCloseTo((250 / 350) * 100, 0);
    expect(bar.value).toBe(50);
  });
  it("stretches the scale for a very large caseload so the bar never overflows", () => {
    const bar = guidanceBar(caseload(500, "well_above_guidance"));
    expect(bar.value).toBeLessThanOrEqual(100);
    expect(bar.value).toBeGreaterThan(bar.rangeEnd);
  });
  it("draws an empty bar for no one", () => {
    expect(guidanceBar(caseload(0, "below_guidance")).value).toBe(0);
  });
});

describe("times", () => {
  it("shows a day plainly", () => {
    expect(dayWords("2025-03-09")).toBe("9 Mar 2025");
    expect(dayWords("soon")).toBe("soon");
  });
  it("shows a time in local words", () => {
    const local = new Date(2025, 2, 9, 14, 5);
    expect(dateTimeWords(local.toISOString())).toBe("9 Mar 2025 at 14:05");
    expect(dateTimeWords("not a time")).toBe("not a time");
  });
});
