// Where the unlocked app is: one route at a time, with a back stack. Screens call navigate();
// App.svelte shows the screen for the current route.
import type { ConcernId, PersonId, SessionId } from "./bindings";

export type Route =
  | { name: "today" }
  | { name: "people" }
  | { name: "new-person" }
  | { name: "new-referral"; personId: PersonId }
  | { name: "person"; personId: PersonId }
  | { name: "conversation"; personId: PersonId }
  | { name: "plan"; personId: PersonId }
  | { name: "visit"; personId: PersonId; sessionId: SessionId }
  | { name: "directory"; personId?: PersonId }
  | { name: "consent"; personId: PersonId }
  | { name: "safeguarding"; personId: PersonId; concernId?: ConcernId }
  | { name: "practice" }
  | { name: "review" }
  | { name: "caseloads" }
  | { name: "conflicts" }
  | { name: "questionnaire"; personId: PersonId }
  | { name: "outcomes"; personId: PersonId }
  | { name: "reports" }
  | { name: "discharge"; personId: PersonId }
  | { name: "subject-access"; personId: PersonId };

export const router = $state<{ route: Route; history: Route[] }>({
  route: { name: "today" },
  history: [],
});

/** Goes to `route`, remembering where we were for back(). */
export function navigate(route: Route): void {
  router.history.push(router.route);
  router.route = route;
}

/** Returns to the previous screen (Today when there is none). */
export function back(): void {
  router.route = router.history.pop() ?? { name: "today" };
}

/** Forgets everything (on lock: nothing personal may stay on screen or in memory). */
export function resetRoute(): void {
  router.history = [];
  router.route = { name: "today" };
}
