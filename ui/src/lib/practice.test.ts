// Tests of the practice-server form checks and of the sync state in words.
import { describe, expect, it } from "vitest";
import type { SyncStatus } from "./bindings";
import { ago, checkSignIn, describeSync } from "./practice";

const joined: SyncStatus = {
  joined: true,
  server_address: "https://kith.example",
  running: true,
  online: true,
  syncing: false,
  phase: null,
  done: 0,
  total: null,
  last_synced_at: "2026-11-23T10:00:00Z",
  changes_waiting: 0,
  changes_refused: 0,
  conflicts: 0,
  last_error: null,
  revoked: false,
};
const now = new Date("2026-11-23T10:05:00Z");

describe("checkSignIn", () => {
  const good = {
    server_address: "https://kith.example",
    username: "sam",
    password: "pw",
    device_name: "Sam's laptop",
  };
  it("accepts a complete form", () => {
    expect(checkSignIn(good, "ABCD-EFGH-JKMN-PQRS-TVWX-YZ01")).toEqual({});
  });
  it("names every missing field and a short invite code", () => {
    const errors = checkSignIn(
      { server_address: "https://", username: " ", password: "", device_name: "" },
      "ABCD",
    );
    expect(Object.keys(errors).sort()).toEqual(
      ["device_name", "invite_code", "password", "server_address", "username"].sort(),
    );
    expect(errors.invite_code).toContain("this has 4");
  });
  it("asks for the whole address", () => {
    expect(checkSignIn({ ...good, server_address: "kith.example" }, null).server_address).toMatch(
      /https/,
    );
  });
});

describe("describeSync", () => {
  it("says plainly when not joined", () => {
    expect(describeSync({ ...joined, joined: false }, now).headline).toMatch(/Not connected/);
  });
  it("is up to date with the time since the last sync", () => {
    const summary = describeSync(joined, now);
    expect(summary.tone).toBe("ok");
    expect(summary.details[0]).toBe("Last synced 5 minutes ago.");
  });
  it("shows progress on a long pull", () => {
    const summary = describeSync(
      { ...joined, syncing: true, phase: "pulling", done: 250, total: 1000 },
      now,
    );
    expect(summary.headline).toBe("Receiving changes: 250 of 1000.");
  });
  it("never hides an error, waiting changes or conflicts", () => {
    const summary = describeSync(
      {
        ...joined,
        online: false,
        last_error: "The practice server cannot be reached.",
        changes_waiting: 3,
        conflicts: 1,
      },
      now,
    );
    expect(summary.tone).toBe("offline");
    expect(summary.headline).toBe("The practice server cannot be reached.");
    expect(summary.details).toContain("3 changes waiting to be sent.");
    expect(summary.details.join(" ")).toMatch(/1 edit needs a decision/);
  });
  it("says a revoked laptop stays encrypted", () => {
    const summary = describeSync({ ...joined, revoked: true, last_error: null }, now);
    expect(summary.tone).toBe("problem");
    expect(summary.headline).toMatch(/removed from the practice/);
  });
});

describe("ago", () => {
  it("counts minutes and hours", () => {
    expect(ago(new Date("2026-11-23T10:04:40Z"), now)).toBe("just now");
    expect(ago(new Date("2026-11-23T09:04:00Z"), now)).toBe("1 hour ago");
  });
});
