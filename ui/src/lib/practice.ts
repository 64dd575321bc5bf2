// The practice-server form's checks and the sync state in words, shared by the Practice screen
// and the sync state shown on Today and in the header.
import type { PracticeSignIn, SyncStatus } from "./bindings";
import { dateAndTime } from "./dates";

export type SignInErrors = Partial<Record<keyof PracticeSignIn | "invite_code", string>>;

/** What is wrong with the sign-in form, field by field (empty when it can be sent). */
export function checkSignIn(signIn: PracticeSignIn, inviteCode: string | null): SignInErrors {
  const errors: SignInErrors = {};
  const address = signIn.server_address.trim();
  if (address === "" || address === "https://") {
    errors.server_address = "Enter the server address your practice administrator gave you.";
  } else if (!/^https?:\/\/[^\s/]+/.test(address)) {
    errors.server_address = "Enter the whole address, starting https://";
  }
  if (signIn.username.trim() === "") errors.username = "Enter your username.";
  if (signIn.password === "") errors.password = "Enter your password.";
  if (signIn.device_name.trim() === "") {
    errors.device_name = "Give this laptop a name, for example Sam's laptop.";
  }
  if (inviteCode !== null) {
    const characters = inviteCode.replace(/[\s-]/g, "");
    if (characters === "") errors.invite_code = "Enter the invite code a supervisor gave you.";
    else if (characters.length !== 24) {
      errors.invite_code = `An invite code has 24 characters; this has ${characters.length}.`;
    }
  }
  return errors;
}

/** "just now", "5 minutes ago", "3 hours ago", or the date. */
export function ago(then: Date, now: Date): string {
  const minutes = Math.round((now.getTime() - then.getTime()) / 60000);
  if (minutes < 1) return "just now";
  if (minutes < 60) return minutes === 1 ? "1 minute ago" : `${minutes} minutes ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return hours === 1 ? "1 hour ago" : `${hours} hours ago`;
  return dateAndTime(then.toISOString());
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The sync state as a headline and supporting facts, never silent about a failure. */
export function describeSync(
  status: SyncStatus,
  now: Date,
): { tone: "ok" | "busy" | "offline" | "problem"; headline: string; details: string[] } {
  const details: string[] = [];
  if (status.last_synced_at) {
    details.push(`Last synced ${ago(new Date(status.last_synced_at), now)}.`);
  } else {
    details.push("Not synced yet.");
  }
  details.push(
    status.changes_waiting === 0
      ? "No changes waiting to be sent."
      : `${plural(status.changes_waiting, "change", "changes")} waiting to be sent.`,
  );
  if (status.conflicts > 0) {
    details.push(
      `${plural(status.conflicts, "edit needs", "edits need")} a decision: the same thing was changed on two laptops.`,
    );
  }
  if (status.changes_refused > 0) {
    details.push(
      `${plural(status.changes_refused, "change was", "changes were")} refused by the server and kept on this laptop.`,
    );
  }
  if (!status.joined) {
    return {
      tone: "ok",
      headline: "Not connected to a practice server — everything is saved on this laptop.",
      details: [],
    };
  }
  if (status.revoked) {
    return {
      tone: "problem",
      headline:
        status.last_error ??
        "This laptop was removed from the practice. It no longer syncs; its records stay encrypted.",
      details,
    };
  }
  if (status.syncing) {
    const what = status.phase === "pushing" ? "Sending" : "Receiving";
    const progress =
      status.total !== null ? `${status.done} of ${status.total}` : `${status.done} so far`;
    return { tone: "busy", headline: `${what} changes: ${progress}.`, details };
  }
  if (status.last_error) {
    return {
      tone: status.online === false ? "offline" : "problem",
      headline: status.last_error,
      details,
    };
  }
  if (status.online === false) {
    return {
      tone: "offline",
      headline: "Offline — changes are saved here and will sync when the server can be reached.",
      details,
    };
  }
  return { tone: "ok", headline: "Online and up to date.", details };
}
