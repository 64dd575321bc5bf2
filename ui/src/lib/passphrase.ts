// Passphrase guidance for first run: how strong a passphrase looks, and what to do about it.
// Pure functions, so they are unit tested; the key derivation itself happens in Rust.

export const MINIMUM_LENGTH = 12;

export type Strength = "empty" | "too_short" | "guessable" | "fair" | "strong";

export interface PassphraseGuidance {
  strength: Strength;
  /** 0 (empty) to 4 (strong), for the strength meter. */
  score: 0 | 1 | 2 | 3 | 4;
  /** A short label for the meter. */
  label: string;
  /** One sentence on how to make it stronger, or why it is good. */
  hint: string;
}

export interface PassphraseErrors {
  passphrase?: string;
  confirmation?: string;
}

// Guessed first by every attacker; checked after removing digits, spaces and symbols.
const COMMON_WORDS = new Set([
  "password", "passw", "passphrase", "qwerty", "qwertyuiop", "letmein", "welcome", "iloveyou",
  "admin", "monkey", "dragon", "football", "sunshine", "princess", "abc", "abcdef", "kith", "nhs",
  "secret", "changeme", "trustno", "login", "master", "hello",
]);

const SEQUENCES = ["0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiop", "asdfghjkl"];

function characters(text: string): string[] {
  return [...text];
}

/** Words of three or more letters, e.g. "correct horse-battery" → 3. */
export function countWords(text: string): number {
  return (text.match(/\p{L}{3,}/gu) ?? []).length;
}

function characterClasses(text: string): number {
  const classes = [/\p{Ll}/u, /\p{Lu}/u, /\p{N}/u, /[^\p{L}\p{N}]/u];
  return classes.filter((pattern) => pattern.test(text)).length;
}

function isRepetitive(text: string): boolean {
  return new Set(characters(text.toLowerCase())).size <= 3;
}

function hasLongSequence(text: string): boolean {
  const lower = text.toLowerCase();
  for (const sequence of SEQUENCES) {
    for (let start = 0; start + 6 <= sequence.length; start++) {
      const run = sequence.slice(start, start + 6);
      const reversed = [...run].reverse().join("");
      if (lower.includes(run) || lower.includes(reversed)) return true;
    }
  }
  return false;
}

function isMadeOfCommonWords(text: string): boolean {
  const letters = text.toLowerCase().replace(/[^\p{L}]/gu, "");
  if (letters.length === 0) return true;
  // Greedy: can the letters be split entirely into common words?
  const reachable = new Array<boolean>(letters.length + 1).fill(false);
  reachable[0] = true;
  for (let end = 1; end <= letters.length; end++) {
    for (let start = 0; start < end && !reachable[end]; start++) {
      if (reachable[start] && COMMON_WORDS.has(letters.slice(start, end))) reachable[end] = true;
    }
  }
  return reachable[letters.length];
}

/** How strong `passphrase` looks, with a hint that says how to improve it. */
export function assessPassphrase(passphrase: string): PassphraseGuidance {
  const length = characters(passphrase).length;
  if (length === 0) {
    return {
      strength: "empty",
      score: 0,
      label: "Not entered yet",
      hint: "Three or more random words make a strong passphrase that is easy to remember.",
    };
  }
  if (length < MINIMUM_LENGTH) {
    const missing = MINIMUM_LENGTH - length;
    return {
      strength: "too_short",
      score: 1,
      label: "Too short",
      hint: `Add at least ${missing} more character${missing === 1 ? "" : "s"} — another word works well.`,
    };
  }
  if (isRepetitive(passphrase) || hasLongSequence(passphrase) || isMadeOfCommonWords(passphrase)) {
    return {
      strength: "guessable",
      score: 1,
      label: "Easy to guess",
      hint: "Avoid common passwords, keyboard runs and repeated characters. Choose random words instead.",
    };
  }
  const words = countWords(passphrase);
  if ((words >= 3 && length >= 16) || (length >= 20 && characterClasses(passphrase) >= 2)) {
    return {
      strength: "strong",
      score: 4,
      label: "Strong",
      hint: "A good passphrase. Keep it somewhere only you can get to until you know it by heart.",
    };
  }
  return {
    strength: "fair",
    score: 3,
    label: "Fair",
    hint: "Good enough to continue. Another random word would make it strong.",
  };
}

/** Checks the first-run passphrase form; an empty object means it can be submitted. */
export function validatePassphraseForm(passphrase: string, confirmation: string): PassphraseErrors {
  const errors: PassphraseErrors = {};
  const strength = assessPassphrase(passphrase).strength;
  if (strength === "empty") {
    errors.passphrase = "Enter a passphrase.";
  } else if (strength === "too_short") {
    errors.passphrase = `Use at least ${MINIMUM_LENGTH} characters — three random words works well.`;
  } else if (strength === "guessable") {
    errors.passphrase = "This passphrase is too easy to guess. Choose three or more random words.";
  }
  if (confirmation.length === 0) {
    errors.confirmation = "Type your passphrase again to confirm it.";
  } else if (confirmation !== passphrase) {
    errors.confirmation = "The two passphrases are different. Type the same passphrase in both boxes.";
  }
  return errors;
}
