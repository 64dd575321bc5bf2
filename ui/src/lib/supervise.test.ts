// Tests of supervision's words: worker names, review items, sign-off targets, the queue after
// marking reviewed and after "Show more", and the caseload guidance bar
// (dates and times are tested in dates.test.ts).
import { describe, expect, it } from "vitest";
import type { LinkWorkerCaseload, ReviewGroup, ReviewItem, ReviewPerson, ReviewQueue } from "./bindings";
import {
  authorName,
  bandWords,
  commentAboutRecord,
  groupTotalWords,
  guidanceBar,
  guidanceSentence,
  recordKey,
  reviewKindWords,
  notShown,
  showMoreWords,
  signOffTarget,
  withoutReviewed,
  withPage,
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

function person(id: string, concerns: number, items: ReviewItem[], waiting = items.length): ReviewPerson {
  return { person_id: id, display_name: id, open_concerns: concerns, waiting, items };
}

/** Ann: Ada (a concern) and Alan shown, 3 more people (9 records) not yet shown; no one's: Bo. */
function queue(): ReviewQueue {
  return {
    records_waiting: 13,
    people_waiting: 6,
    groups: [
      {
        link_worker: "u-ann",
        people_waiting: 5,
        records_waiting: 12,
        people_with_concerns: 1,
        people: [
          person("p-ada", 1, [item("note", "n1"), item("care_plan", "c1")]),
          person("p-alan", 0, [item("note", "n2")]),
        ],
      },
      {
        link_worker: null,
        people_waiting: 1,
        records_waiting: 1,
        people_with_concerns: 0,
        people: [person("p-bo", 0, [item("session", "s1")])],
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
    expect(after.records_waiting).toBe(12);
    expect(after.people_waiting).toBe(6);
    expect(after.groups[0].people[0].items.map((i) => i.record.id)).toEqual(["c1"]);
    expect(after.groups[0].people[0].waiting).toBe(1);
    expect(after.groups[0].records_waiting).toBe(11);
  });
  it("drops a whole person from their group's totals, concerns included", () => {
    const after = withoutReviewed(queue(), [{ kind: "person", id: "p-ada" }]);
    const ann = after.groups[0];
    expect(ann.people.map((p) => p.person_id)).toEqual(["p-alan"]);
    expect([ann.people_waiting, ann.records_waiting, ann.people_with_concerns]).toEqual([4, 10, 0]);
    expect([after.people_waiting, after.records_waiting]).toEqual([5, 11]);
  });
  it("drops a group left with no one waiting", () => {
    const after = withoutReviewed(queue(), [{ kind: "person", id: "p-bo" }]);
    expect(after.groups.map((g) => g.link_worker)).toEqual(["u-ann"]);
    expect(after.records_waiting).toBe(12);
  });
  it("keeps a group whose shown people are done while others wait unseen", () => {
    const after = withoutReviewed(queue(), [
      { kind: "person", id: "p-ada" },
      { kind: "note", id: "n2" },
    ]);
    const ann = after.groups[0];
    expect(ann.people).toEqual([]);
    expect([ann.people_waiting, ann.records_waiting]).toEqual([3, 9]);
    expect(showMoreWords(ann)).toBe("Show the last 3 people");
  });
  it("keeps counting a person whose older records (not shown) still wait", () => {
    const many = queue();
    many.groups[0].people[1] = person("p-alan", 0, [item("note", "n2")], 25);
    many.groups[0].records_waiting = 36;
    const after = withoutReviewed(many, [{ kind: "note", id: "n2" }]);
    const ann = after.groups[0];
    expect(ann.people.map((p) => p.person_id)).toEqual(["p-ada"]);
    expect([ann.people_waiting, ann.records_waiting]).toEqual([5, 35]);
    expect(notShown(ann)).toBe(4);
  });
  it("leaves nothing when everything is reviewed", () => {
    const small = queue();
    small.groups[0].people_waiting = 2;
    small.groups[0].records_waiting = 3;
    const after = withoutReviewed(small, [
      { kind: "person", id: "p-ada" },
      { kind: "note", id: "n2" },
      { kind: "session", id: "s1" },
    ]);
    expect(after).toEqual({ groups: [], records_waiting: 0, people_waiting: 0 });
  });
});

describe("show more", () => {
  function page(people: ReviewPerson[], waiting = 5, records = 12): ReviewGroup {
    return { link_worker: "u-ann", people_waiting: waiting, records_waiting: records, people_with_concerns: 1, people };
  }
  it("says how many more and how many are not yet shown", () => {
    const ann = queue().groups[0];
    expect(notShown(ann)).toBe(3);
    expect(showMoreWords(ann)).toBe("Show the last 3 people");
    expect(showMoreWords({ ...ann, people_waiting: 40 })).toBe("Show 5 more of 38 people not yet shown");
    expect(showMoreWords({ ...ann, people_waiting: 8 })).toBe("Show 5 more of 6 people not yet shown");
    expect(showMoreWords({ ...ann, people_waiting: 1500 })).toBe("Show 5 more of 1,498 people not yet shown");
    expect(showMoreWords({ ...ann, people_waiting: 3 })).toBe("Show the last person");
    expect(groupTotalWords(ann)).toBe("5 people · 12 records waiting");
    expect(groupTotalWords({ ...ann, people_waiting: 1, records_waiting: 1 })).toBe("1 person · 1 record waiting");
    expect(groupTotalWords({ ...ann, people_waiting: 1500, records_waiting: 15724 })).toBe(
      "1,500 people · 15,724 records waiting",
    );
  });
  it("adds the next page after those shown, with the group's totals as they are now", () => {
    const next = page([person("p-cy", 0, [item("note", "n3")]), person("p-di", 0, [item("note", "n4")])], 6, 14);
    const { queue: after, added } = withPage(queue(), next);
    expect(added).toEqual(["p-cy", "p-di"]);
    const ann = after.groups[0];
    expect(ann.people.map((p) => p.person_id)).toEqual(["p-ada", "p-alan", "p-cy", "p-di"]);
    expect([ann.people_waiting, ann.records_waiting]).toEqual([6, 14]);
    expect([after.people_waiting, after.records_waiting]).toEqual([7, 15]);
    expect(after.groups[1]).toEqual(queue().groups[1]);
  });
  it("never shows a person twice", () => {
    const { queue: after, added } = withPage(queue(), page([person("p-alan", 0, [item("note", "n2")])]));
    expect(added).toEqual([]);
    expect(after.groups[0].people.map((p) => p.person_id)).toEqual(["p-ada", "p-alan"]);
  });
  it("drops a group whose people were all reviewed elsewhere", () => {
    const emptied = withoutReviewed(queue(), [
      { kind: "person", id: "p-ada" },
      { kind: "note", id: "n2" },
    ]);
    const { queue: after, added } = withPage(emptied, page([], 0, 0));
    expect(added).toEqual([]);
    expect(after.groups.map((g) => g.link_worker)).toEqual([null]);
    expect(after.records_waiting).toBe(1);
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
