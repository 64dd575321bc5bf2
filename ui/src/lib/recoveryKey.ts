// The recovery key on first run: split into its numbered groups for display, and a check that
// the person kept a copy (they type one group, chosen at random, from what they wrote down).

/** "ABCD-EFGH-…" → ["ABCD", "EFGH", …]. */
export function recoveryKeyGroups(key: string): string[] {
  return key
    .split(/[-\s]+/)
    .map((group) => group.trim())
    .filter((group) => group.length > 0);
}

/**
 * Which group (numbered from 1) to ask for. Never the first or the last, which are the ones
 * remembered from a glance; `random` is in [0, 1) like Math.random.
 */
export function chooseGroupToCheck(groupCount: number, random: () => number = Math.random): number {
  if (groupCount <= 2) return groupCount;
  const middleCount = groupCount - 2;
  return 2 + Math.min(middleCount - 1, Math.floor(random() * middleCount));
}

/** A group as the person typed it, read the way Kith reads recovery keys. */
export function normaliseTypedGroup(typed: string): string {
  return typed
    .replace(/[\s-]/g, "")
    .toUpperCase()
    .replace(/O/g, "0")
    .replace(/[IL]/g, "1");
}

/** Whether `typed` is the group `expected` (case, spaces and look-alike letters forgiven). */
export function matchesGroup(typed: string, expected: string): boolean {
  const normalised = normaliseTypedGroup(typed);
  return normalised.length > 0 && normalised === normaliseTypedGroup(expected);
}
