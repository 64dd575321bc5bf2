// Where the care screens go when they are done: back to the person's record.
import type { PersonId } from "./bindings";
import { back, router } from "./route.svelte";

/** Returns to the person's record: back, when that is where we came from; else straight there. */
export function returnToRecord(personId: PersonId): void {
  const previous = router.history.at(-1);
  if (previous?.name === "person" && previous.personId === personId) {
    back();
  } else {
    router.route = { name: "person", personId };
  }
}
