// Tests that errors from Rust keep their code and anything else becomes a transport error.
import { describe, expect, it } from "vitest";
import { isIpcError, toCommandError } from "./ipc";

describe("toCommandError", () => {
  it("keeps a Kith error as sent by Rust", () => {
    const sent = { code: "data_dir_unavailable", message: "Kith could not find a folder" };
    expect(toCommandError(sent)).toEqual(sent);
  });

  it("does not trust an unknown code", () => {
    expect(isIpcError({ code: "made_up", message: "x" })).toBe(false);
    expect(toCommandError({ code: "made_up", message: "x" }).code).toBe("transport");
  });

  it("wraps a thrown Error or string", () => {
    expect(toCommandError(new Error("no window")).message).toContain("no window");
    expect(toCommandError("boom")).toEqual({
      code: "transport",
      message: "Kith could not reach its core: boom",
    });
  });
});
