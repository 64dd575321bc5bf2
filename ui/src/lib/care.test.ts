// Tests the care screens' logic: conversation and plan checks, what is sent to Rust, the visit
// note's "Next steps" paragraph and its round trip through a draft (dates: dates.test.ts).
import { describe, expect, it } from "vitest";
import {
  composeVisitNote,
  emptyConversationForm,
  emptyGoal,
  emptyPlanForm,
  fromVisitDraft,
  lifeAreaPrompts,
  LIFE_AREAS,
  mergeSuggestedDates,
  reasonNeeded,
  splitVisitNote,
  toNewCarePlan,
  toNewConversation,
  toVisitDraft,
  toVisitRecord,
  validateConversation,
  validatePlan,
  validateVisit,
  type VisitForm,
} from "./care";
import { lifeAreaWords } from "./words";

describe("the conversation form", () => {
  const today = "2025-05-12";

  it("has a prompt for every life area, and money asks about bills", () => {
    for (const area of LIFE_AREAS) expect(lifeAreaPrompts[area].length).toBeGreaterThan(0);
    expect(LIFE_AREAS).toHaveLength(Object.keys(lifeAreaWords).length);
    expect(lifeAreaPrompts.money).toContain("Are bills or debts worrying you?");
  });

  it("asks for the person's words, a duration and a date not in the future", () => {
    const form = emptyConversationForm("2025-05-13");
    const errors = validateConversation(form, today, lifeAreaWords);
    expect(Object.keys(errors).sort()).toEqual(["duration", "held-on", "what-matters"]);
    expect(errors["held-on"]).toContain("cannot be in the future");
    expect(errors["what-matters"]).toContain("in their own words");
  });

  it("refuses a duration Rust would refuse", () => {
    for (const duration of ["0", "481", "1.5", "an hour"]) {
      const form = { ...emptyConversationForm(today), whatMatters: "x", duration };
      expect(validateConversation(form, today, lifeAreaWords)["duration"]).toContain("1 to 480");
    }
  });

  it("asks for words for a ticked life area and a chosen other barrier", () => {
    const form = {
      ...emptyConversationForm(today),
      duration: "75",
      whatMatters: "Getting back to the allotment",
      concerns: { ...emptyConversationForm(today).concerns, money: { chosen: true, words: " " } },
      otherBarrierChosen: true,
    };
    const errors = validateConversation(form, today, lifeAreaWords);
    expect(Object.keys(errors).sort()).toEqual(["concern-money", "other-barrier"]);
    expect(errors["concern-money"]).toContain("untick Money");
  });

  it("sends the person's words unchanged, and only ticked areas", () => {
    const words = "I want to feel useful again — like when I ran the 'Tuesday club'.";
    const form = {
      ...emptyConversationForm(today),
      setting: "phone" as const,
      duration: "75",
      whatMatters: `  ${words}\n`,
      strengths: "  ",
      wantsToChange: "Get out more",
      concerns: {
        ...emptyConversationForm(today).concerns,
        money: { chosen: true, words: "The gas bill scares me" },
        housing: { chosen: false, words: "typed then unticked" },
      },
      barriers: { ...emptyConversationForm(today).barriers, transport: true },
      otherBarrierChosen: true,
      otherBarrier: "Her dog",
    };
    expect(validateConversation(form, today, lifeAreaWords)).toEqual({});
    expect(toNewConversation(form, "person-1", null)).toEqual({
      person_id: "person-1",
      referral_id: null,
      held_on: today,
      setting: "phone",
      duration_minutes: 75,
      what_matters: words,
      strengths: null,
      wants_to_change: "Get out more",
      concerns: [{ area: "money", in_own_words: "The gas bill scares me" }],
      barriers: ["transport", { other: "Her dog" }],
    });
  });
});

describe("the plan form", () => {
  const filled = () => ({
    ...emptyPlanForm("2025-05-12"),
    goals: [
      {
        words: "I'd like to sing again",
        steps: [
          { what: "Ring the community choir", who: "Ada", byWhen: "2025-05-20" },
          { what: "", who: "", byWhen: "" },
        ],
      },
    ],
  });

  it("needs a reason only outside 6 to 12 sessions", () => {
    expect([5, 6, 12, 13, 14].map((n) => reasonNeeded(n))).toEqual([true, false, false, true, true]);
    const form = { ...filled(), sessions: "14" };
    expect(validatePlan(form)["sessions-reason"]).toContain("14 sessions");
    expect(validatePlan({ ...form, reason: "Complex grief; agreed with GP" })).toEqual({});
    expect(validatePlan({ ...filled(), sessions: "0" })["sessions"]).toBeDefined();
  });

  it("asks for the goal's words and each half-filled step's what and who", () => {
    const form = {
      ...filled(),
      goals: [emptyGoal(), { words: "Walk to the shops", steps: [{ what: "", who: "", byWhen: "2025-06-01" }] }],
    };
    expect(Object.keys(validatePlan(form)).sort()).toEqual([
      "goal-0",
      "goal-1-step-0-what",
      "goal-1-step-0-who",
    ]);
  });

  it("refuses a session date before the start, missing, or not a real date", () => {
    const form = {
      ...filled(),
      dates: ["2025-05-12", "2025-05-01", "", '["29","2","2027"]', '["3","6","25"]'],
    };
    const errors = validatePlan(form);
    expect(errors["session-date-1"]).toContain("before the plan starts");
    expect(errors["session-date-2"]).toContain("Enter a date");
    expect(errors["session-date-3"]).toBe("The date of session 4 must be a real date");
    expect(errors["session-date-4"]).toBe(
      "The date of session 5 must have the year in full, for example 2026",
    );
    expect(errors["session-date-0"]).toBeUndefined();
  });

  it("names a partial 'by when' date of a step", () => {
    const form = {
      ...filled(),
      goals: [{ words: "Sing again", steps: [{ what: "Go to choir", who: "Ada", byWhen: '["","6","2025"]' }] }],
    };
    expect(validatePlan(form)["goal-0-step-0-by"]).toBe(
      "The date for goal 1, step 1 must include a day",
    );
  });

  it("drops blank steps and sends the reason only when needed", () => {
    const plan = toNewCarePlan({ ...filled(), sessions: "8", reason: "left over" }, "p", "r");
    expect(plan.planned_sessions).toBe(8);
    expect(plan.planned_sessions_reason).toBeNull();
    expect(plan.referral_id).toBe("r");
    expect(plan.goals).toEqual([
      {
        in_own_words: "I'd like to sing again",
        steps: [
          { what: "Ring the community choir", who: "Ada", by_when: "2025-05-20", status: "not_started" },
        ],
      },
    ]);
    const longer = toNewCarePlan({ ...filled(), sessions: 14, reason: " Grief " }, "p", null);
    expect(longer.planned_sessions_reason).toBe("Grief");
  });

  it("keeps dates the worker changed when the suggestion changes", () => {
    const before = ["2025-05-12", "2025-05-26", "2025-06-09"];
    const current = ["2025-05-12", "2025-05-27", "2025-06-09"];
    const after = ["2025-05-12", "2025-05-23", "2025-06-02", "2025-06-13"];
    expect(mergeSuggestedDates(after, before, current)).toEqual([
      "2025-05-12",
      "2025-05-27",
      "2025-06-02",
      "2025-06-13",
    ]);
  });
});

describe("the visit form", () => {
  const form: VisitForm = {
    status: "held",
    duration: "50",
    notes: "Talked about the choir.\nShe is nervous about the bus.",
    nextSteps: "Ring the choir leader on Friday",
  };

  it("puts the next steps under a clear heading after the notes", () => {
    expect(composeVisitNote(" Notes ", "")).toBe("Notes");
    expect(composeVisitNote("Notes", " Call Friday ")).toBe("Notes\n\nNext steps:\nCall Friday");
    expect(toVisitRecord(form, "s").note).toBe(
      "Talked about the choir.\nShe is nervous about the bus.\n\nNext steps:\nRing the choir leader on Friday",
    );
  });

  it("restores exactly what was typed from a draft", () => {
    const typed: VisitForm = { ...form, notes: "Ends with a space \n", nextSteps: "One\n" };
    const draft = toVisitDraft(typed, "session-1");
    expect(draft).toMatchObject({ session_id: "session-1", status: "held", duration_minutes: 50 });
    expect(fromVisitDraft(draft)).toEqual(typed);
    expect(fromVisitDraft(toVisitDraft({ ...form, nextSteps: "" }, "s"))).toEqual({
      ...form,
      nextSteps: "",
    });
    expect(splitVisitNote("just notes")).toEqual({ notes: "just notes", nextSteps: "" });
  });

  it("asks what happened, and how long only when it was held", () => {
    const empty: VisitForm = { status: null, duration: "", notes: "", nextSteps: "" };
    expect(Object.keys(validateVisit(empty))).toEqual(["outcome-held"]);
    expect(validateVisit({ ...empty, status: "held" })["duration"]).toContain("how long");
    expect(validateVisit({ ...empty, status: "did_not_attend" })).toEqual({});
    expect(validateVisit({ ...empty, status: "cancelled", duration: "999" })["duration"]).toBeDefined();
  });
});
