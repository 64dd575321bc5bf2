// Tests of the directory screen's logic: search over services, categories, connections.
import { describe, expect, it } from "vitest";
import type { CommunityService, Connection, PersonRecord, TimelineEntry } from "./bindings";
import {
  categoryCounts,
  connectionsOf,
  filterServices,
  importSummary,
  nextConnectionMoves,
  serviceMatches,
  serviceName,
} from "./directory";

function service(overrides: Partial<CommunityService>): CommunityService {
  return {
    id: "svc",
    name: "A service",
    organisation: null,
    description: null,
    category: "other",
    address: null,
    postcode: null,
    phone: null,
    email: null,
    website: null,
    schedule: null,
    cost: null,
    eligibility: null,
    accessibility: null,
    oruk_id: null,
    active: true,
    ...overrides,
  };
}

const choir = service({
  id: "choir",
  name: "Tuesday Community Choir",
  description: "Sing together, no auditions.",
  category: "singing",
  address: "St Mary's Hall, Mill Lane, Hollinsbridge",
  postcode: "HB1 2AA",
});
const shed = service({
  id: "shed",
  name: "Men’s Shed",
  organisation: "Thornfield Men’s Shed CIC",
  description: "Woodwork and a brew.",
  category: "mens_groups",
  address: "Unit 4, Canal Yard, Thornfield",
});
const debt = service({
  id: "debt",
  name: "Money Advice Drop-in",
  description: "Help with debts, bills and benefits.",
  category: "money_and_debt_advice",
  address: "Hollinsbridge Library",
});
const all = [choir, shed, debt];

describe("search", () => {
  it.each([
    ["", ["choir", "shed", "debt"]],
    ["   ", ["choir", "shed", "debt"]],
    ["choir", ["choir"]],
    ["CHOIR", ["choir"]],
    ["hollinsbridge", ["choir", "debt"]],
    ["hb1", ["choir"]],
    ["men's", ["shed"]],
    ["thornfield", ["shed"]],
    ["benefits", ["debt"]],
    ["sing hollinsbridge", ["choir"]],
    ["sing thornfield", []],
    ["swimming", []],
  ])("typing %j finds %j", (typed, ids) => {
    expect(filterServices(all, typed, null).map((found) => found.id)).toEqual(ids);
  });

  it("narrows to a category and searches within it", () => {
    expect(filterServices(all, "", "singing").map((found) => found.id)).toEqual(["choir"]);
    expect(filterServices(all, "library", "singing")).toEqual([]);
    expect(filterServices(all, "library", "money_and_debt_advice")).toEqual([debt]);
  });

  it("matches words anywhere, not only at the start", () => {
    expect(serviceMatches(choir, "munity")).toBe(true);
    expect(serviceMatches(choir, "choirs")).toBe(false);
  });
});

describe("categories", () => {
  it("counts services per category in the given order, leaving out empty ones", () => {
    const extraChoir = service({ id: "choir2", category: "singing" });
    expect(
      categoryCounts([...all, extraChoir], ["befriending", "singing", "mens_groups", "other"]),
    ).toEqual([
      { category: "singing", count: 2 },
      { category: "mens_groups", count: 1 },
    ]);
  });
});

describe("connections", () => {
  it.each([
    ["signposted", ["referred", "attended", "stopped"]],
    ["referred", ["attended", "stopped"]],
    ["attended", ["stopped"]],
    ["stopped", []],
  ] as const)("from %s may move to %j", (from, to) => {
    expect(nextConnectionMoves(from)).toEqual(to);
  });

  function connection(id: string, made_on: string, status_changed_on: string): Connection {
    return {
      id,
      person_id: "p",
      service_id: "choir",
      care_plan_id: null,
      kind: "referred",
      status: "referred",
      made_on,
      made_by: "u",
      status_changed_on,
      notes: null,
    };
  }

  it("lists only connections from the record, most recently changed first", () => {
    const timeline: TimelineEntry[] = [
      { date: "2025-01-01", item: { kind: "connection", connection: connection("a", "2025-01-01", "2025-01-01") } },
      { date: "2025-02-01", item: { kind: "connection", connection: connection("b", "2025-02-01", "2025-02-01") } },
      { date: "2024-12-01", item: { kind: "connection", connection: connection("c", "2024-12-01", "2025-03-01") } },
    ];
    const notes: TimelineEntry = {
      date: "2025-04-01",
      item: {
        kind: "note",
        amended: false,
        note: {} as never,
      },
    };
    const record = { timeline: [...timeline, notes] } as unknown as PersonRecord;
    expect(connectionsOf(record).map((found) => found.id)).toEqual(["c", "b", "a"]);
  });

  it("names the service, or says plainly it is no longer listed", () => {
    expect(serviceName(all, "shed")).toBe("Men’s Shed");
    expect(serviceName(all, "gone")).toBe("A service no longer listed");
  });
});

describe("import summary", () => {
  it.each([
    [48, 0, 0, "Added 48 services, updated 0, 0 left out."],
    [1, 47, 2, "Added 1 service, updated 47, 2 left out."],
  ])("says what %i/%i/%i did", (added, updated, rejected, words) => {
    expect(importSummary(added, updated, rejected)).toBe(words);
  });
});
