// The NHS number check, mirroring kith-domain's nhs_number.rs exactly (Modulus 11), so the
// intake form can say as the number is typed whether it is valid and why not.

/** Weights for digits 1 to 9, as the NHS defines them. */
const WEIGHTS = [10, 9, 8, 7, 6, 5, 4, 3, 2] as const;

/**
 * The check digit for the first nine digits, or null when the calculation gives 10 (no valid
 * NHS number starts with these nine digits). sum of digit × weight; r = sum mod 11;
 * check = 11 − r; 11 means 0; 10 means invalid.
 */
export function checkDigit(firstNine: readonly number[]): number | null {
  if (firstNine.length !== 9) throw new RangeError("checkDigit needs exactly nine digits");
  const sum = firstNine.reduce((total, digit, index) => total + digit * WEIGHTS[index], 0);
  const check = 11 - (sum % 11);
  if (check === 11) return 0;
  if (check === 10) return null;
  return check;
}

export type NhsNumberCheck =
  /** Nothing typed: the NHS number is optional. */
  | { state: "blank" }
  /** Fewer than 10 digits so far, nothing wrong yet. */
  | { state: "incomplete"; digits: number }
  | { state: "valid"; digits: string; formatted: string }
  | {
      state: "invalid";
      reason: "not_digits" | "wrong_length" | "check_digit_ten" | "check_digit_mismatch";
      message: string;
    };

const MESSAGES = {
  not_digits:
    "NHS number may contain only digits (spaces and dashes are fine); remove any letters or other characters",
  check_digit_ten:
    "This is not a valid NHS number: no NHS number can start with these nine digits (their check digit would be 10). Check the number against a letter or the GP record",
  check_digit_mismatch:
    "This is not a valid NHS number: the last digit does not match the others, so a digit is probably mistyped. Check the number against a letter or the GP record",
} as const;

function wrongLength(digits: number): NhsNumberCheck {
  return {
    state: "invalid",
    reason: "wrong_length",
    message: `NHS number must have 10 digits; you entered ${digits}`,
  };
}

/** Shows 10 digits in 3 3 4 groups: "943 476 5919". */
export function formatNhsNumber(digits: string): string {
  return `${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6, 10)}`;
}

/**
 * Checks an NHS number as typed. Spaces, dashes and tabs are ignored, as in Rust. While fewer
 * than 10 digits are typed the number is "incomplete" (not yet an error); `finished` (on
 * submit) turns that into the wrong-length error.
 */
export function checkNhsNumber(typed: string, finished = false): NhsNumberCheck {
  const digits: number[] = [];
  for (const character of typed) {
    if (character === " " || character === "-" || character === "\t") continue;
    if (character < "0" || character > "9") {
      return { state: "invalid", reason: "not_digits", message: MESSAGES.not_digits };
    }
    digits.push(character.charCodeAt(0) - 48);
  }
  if (digits.length === 0) return { state: "blank" };
  if (digits.length < 10) {
    return finished ? wrongLength(digits.length) : { state: "incomplete", digits: digits.length };
  }
  if (digits.length > 10) return wrongLength(digits.length);
  const check = checkDigit(digits.slice(0, 9));
  if (check === null) {
    return { state: "invalid", reason: "check_digit_ten", message: MESSAGES.check_digit_ten };
  }
  if (check !== digits[9]) {
    return {
      state: "invalid",
      reason: "check_digit_mismatch",
      message: MESSAGES.check_digit_mismatch,
    };
  }
  const text = digits.join("");
  return { state: "valid", digits: text, formatted: formatNhsNumber(text) };
}
