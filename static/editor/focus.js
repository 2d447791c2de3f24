// Redrawing a panel under someone's caret: an edit from elsewhere must not take the field they are typing in.

/**
 * Run `redraw` (which rebuilds the inputs in `root`) and, if the focus was in `root`, put it back
 * in the same field with the same caret and with what was typed there and not yet committed
 * (unless `keepTyped` is false: what was typed was refused, and the field shows the stored value).
 */
export function keepingFocus(root, redraw, { keepTyped = true } = {}) {
  const focused = document.activeElement;
  if (!focused || !root.contains(focused) || !focused.matches("input, textarea, select")) {
    redraw();
    return;
  }
  // Fields get fresh ids when redrawn; their field name and label stay.
  const name = (control) => [control.closest("[data-field]")?.dataset.field, control.getAttribute("aria-label"), control.name].join("|");
  const label = name(focused);
  const { value, selectionStart, selectionEnd } = focused;
  redraw();
  const again = [...root.querySelectorAll("input, textarea, select")].find((control) => name(control) === label);
  if (!again) return;
  again.closest("details")?.setAttribute("open", "");
  if (keepTyped && again.value !== value) again.value = value;
  again.focus({ preventScroll: true });
  if (typeof selectionStart === "number" && "setSelectionRange" in again) {
    try {
      again.setSelectionRange(selectionStart, selectionEnd);
    } catch {
      // number inputs have no caret to put back
    }
  }
}
