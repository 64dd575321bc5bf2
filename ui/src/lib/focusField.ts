// Puts the cursor where an error summary link (or a refused submit) points: the field itself
// when it can take focus; for a group (a fieldset of tick boxes, radio buttons or a date's
// day / month / year) the first part marked wrong, else its first control. A fieldset cannot
// take focus, so focusing it would leave focus on the link while the page scrolls away.

const CONTROLS = "input:not([type=hidden]), select, textarea, button";

/** The element to focus for the field or group with this id, or null. */
export function focusTarget(id: string, root: ParentNode = document): HTMLElement | null {
  const field = root.querySelector<HTMLElement>(`[id="${CSS.escape(id)}"]`);
  if (!field) return null;
  if (field.matches(CONTROLS) || field.tabIndex >= 0 || field.hasAttribute("tabindex")) {
    return field;
  }
  return (
    field.querySelector<HTMLElement>(`[aria-invalid="true"]`) ??
    field.querySelector<HTMLElement>(CONTROLS) ??
    null
  );
}

/** Scrolls the field or group with this id into view and puts the cursor in it. */
export function focusField(id: string, root: ParentNode = document): boolean {
  const target = focusTarget(id, root);
  if (!target) return false;
  target.scrollIntoView({ block: "center" });
  target.focus();
  return true;
}
