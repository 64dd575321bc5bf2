// Supervision in words: names of link workers, what each review item is, which records can be
// signed off, the review queue page by page (its totals after marks, merging "Show more"), the
// caseload guidance bar, and when a conflicting value was written.
import type {
  CaseloadBand,
  CommentAbout,
  LinkWorkerCaseload,
  LinkWorkerChoice,
  PersonId,
  ReviewedRecord,
  ReviewGroup,
  ReviewQueue,
  SignedOffRecord,
  UserId,
} from "./bindings";

/** The heading of a queue group whose people are assigned to no one. */
export const NOT_ASSIGNED = "Not assigned";

/** A link worker's name: their account name, or plain words when it is not known here. */
export function workerName(
  id: UserId | null,
  workers: readonly LinkWorkerChoice[],
  unknown = "A link worker",
): string {
  if (id === null) return NOT_ASSIGNED;
  return workers.find((worker) => worker.user_id === id)?.username ?? unknown;
}

/** Who wrote a queued record: a link worker's name, or "someone at the practice". */
export function authorName(id: UserId | null, workers: readonly LinkWorkerChoice[]): string {
  if (id === null) return "Not recorded";
  return workerName(id, workers, "Someone at the practice");
}

const KIND_WORDS: Record<ReviewedRecord["kind"], string> = {
  person: "Personal details",
  note: "Note",
  care_plan: "Care plan",
  discharge: "Discharge",
  session: "Session",
};

/** What a queued record is, in one or two words. */
export function reviewKindWords(record: ReviewedRecord): string {
  return KIND_WORDS[record.kind];
}

/** A stable key for a record in lists ("note:0192…"). */
export function recordKey(record: ReviewedRecord): string {
  return `${record.kind}:${record.id}`;
}

/** Plans and discharges can be signed off; other records cannot. */
export function signOffTarget(record: ReviewedRecord): SignedOffRecord | null {
  if (record.kind === "care_plan") return { kind: "care_plan", id: record.id };
  if (record.kind === "discharge") return { kind: "discharge", id: record.id };
  return null;
}

/** What a comment on a queued record is about (the person's details: the person). */
export function commentAboutRecord(record: ReviewedRecord): CommentAbout {
  switch (record.kind) {
    case "person":
      return { kind: "person" };
    case "note":
      return { kind: "note", id: record.id };
    case "care_plan":
      return { kind: "care_plan", id: record.id };
    case "discharge":
      return { kind: "discharge", id: record.id };
    case "session":
      return { kind: "session", id: record.id };
  }
}

/** "1 record" / "3 records" / "157,611 records". */
export function countWords(count: number, one: string, many: string): string {
  return `${count.toLocaleString("en-GB")} ${count === 1 ? one : many}`;
}

/** People per page of a link worker's group: kith-core's `REVIEW_PEOPLE_PER_PAGE`. */
export const REVIEW_PEOPLE_PER_PAGE = 5;

/** The queue's overall totals, summed from its groups. */
function withTotals(groups: ReviewGroup[]): ReviewQueue {
  return {
    groups,
    records_waiting: groups.reduce((sum, group) => sum + group.records_waiting, 0),
    people_waiting: groups.reduce((sum, group) => sum + group.people_waiting, 0),
  };
}

/**
 * The queue without the records just marked reviewed: people left with none shown drop out,
 * and the totals of their group and of the queue go down. A person still counts as waiting
 * while older records than those shown wait (a later page brings them back); a group stays
 * while anyone in it waits, even with none of them shown.
 */
export function withoutReviewed(queue: ReviewQueue, reviewed: readonly ReviewedRecord[]): ReviewQueue {
  const gone = new Set(reviewed.map(recordKey));
  const people = new Set(
    reviewed.filter((record) => record.kind === "person").map((record) => record.id),
  );
  const groups = queue.groups
    .map((group) => {
      let records = 0;
      let peopleDone = 0;
      let concernsDone = 0;
      const shown = group.people
        .map((person) => {
          const wholePerson = people.has(person.person_id);
          const items = wholePerson
            ? []
            : person.items.filter((item) => !gone.has(recordKey(item.record)));
          const dropped = wholePerson ? person.waiting : person.items.length - items.length;
          const waiting = Math.max(0, person.waiting - dropped);
          records += person.waiting - waiting;
          if (person.waiting > 0 && waiting === 0) {
            peopleDone += 1;
            if (person.open_concerns > 0) concernsDone += 1;
          }
          return { ...person, items, waiting };
        })
        .filter((person) => person.items.length > 0);
      return {
        ...group,
        people: shown,
        records_waiting: Math.max(0, group.records_waiting - records),
        people_waiting: Math.max(0, group.people_waiting - peopleDone),
        people_with_concerns: Math.max(0, group.people_with_concerns - concernsDone),
      };
    })
    .filter((group) => group.people.length > 0 || group.people_waiting > 0);
  return withTotals(groups);
}

/** How many of a group's waiting people are not on screen. */
export function notShown(group: ReviewGroup): number {
  return Math.max(0, group.people_waiting - group.people.length);
}

/** The ids of a group's people on screen: what "Show more" leaves out. */
export function shownIds(group: ReviewGroup): PersonId[] {
  return group.people.map((person) => person.person_id);
}

/** "Show 5 more of 23 people not yet shown"; the last page: "Show the last 2 people". */
export function showMoreWords(group: ReviewGroup): string {
  const left = notShown(group);
  if (left <= REVIEW_PEOPLE_PER_PAGE) {
    return left === 1 ? "Show the last person" : `Show the last ${left} people`;
  }
  return `Show ${REVIEW_PEOPLE_PER_PAGE} more of ${countWords(left, "person", "people")} not yet shown`;
}

/** A group's header line: "12 people · 140 records waiting". */
export function groupTotalWords(group: ReviewGroup): string {
  const people = countWords(group.people_waiting, "person", "people");
  return `${people} · ${countWords(group.records_waiting, "record", "records")} waiting`;
}

/**
 * The queue with the next page of one link worker's group: its totals as they are now, and the
 * people not already shown added after them. Also says who was added (to move focus to the
 * first of them). A group with no one left drops out.
 */
export function withPage(
  queue: ReviewQueue,
  page: ReviewGroup,
): { queue: ReviewQueue; added: PersonId[] } {
  let added: PersonId[] = [];
  const groups = queue.groups
    .map((group) => {
      if (group.link_worker !== page.link_worker) return group;
      const shown = new Set(shownIds(group));
      const fresh = page.people.filter((person) => !shown.has(person.person_id));
      added = fresh.map((person) => person.person_id);
      const people = [...group.people, ...fresh];
      return {
        ...page,
        people,
        // Never fewer waiting than are on screen.
        people_waiting: Math.max(page.people_waiting, people.length),
      };
    })
    .filter((group) => group.people.length > 0 || group.people_waiting > 0);
  return { queue: withTotals(groups), added };
}

// ---- Caseloads ----

const BAND_WORDS: Record<CaseloadBand, string> = {
  below_guidance: "Below the guidance",
  within_guidance: "Within the guidance",
  above_guidance: "Above the guidance",
  well_above_guidance: "Well above the guidance",
};

/** The caseload band in words, e.g. "Within the guidance". */
export function bandWords(band: CaseloadBand): string {
  return BAND_WORDS[band];
}

/** One sentence for the caseload against the yearly guidance, for everyone (not only sight). */
export function guidanceSentence(caseload: LinkWorkerCaseload): string {
  const started = countWords(caseload.people_started_in_last_year, "person", "people");
  const range = `${caseload.guidance_min_per_year}–${caseload.guidance_max_per_year}`;
  return `${started} started in the last 12 months; the guidance is ${range} a year.`;
}

/** Where things sit on the guidance bar, as percentages of its width. */
export type GuidanceBar = { value: number; rangeStart: number; rangeEnd: number };

/**
 * The bar's scale runs from 0 to 1.4 × the top of the guidance (350 for 250), or a little past
 * the caseload when it is larger, so the guidance range keeps its place.
 */
export function guidanceBar(caseload: LinkWorkerCaseload): GuidanceBar {
  const max = Math.max(caseload.guidance_max_per_year * 1.4, caseload.people_started_in_last_year * 1.1, 1);
  const percent = (value: number) => Math.round((Math.max(0, value) / max) * 1000) / 10;
  return {
    value: percent(caseload.people_started_in_last_year),
    rangeStart: percent(caseload.guidance_min_per_year),
    rangeEnd: percent(caseload.guidance_max_per_year),
  };
}

