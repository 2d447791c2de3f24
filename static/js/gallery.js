// Start page gallery: the case-study templates, each with its thumbnail and one line, opening as a new board.

import { el } from "../editor/dom.js";

const number = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

function requirementsLine(requirements) {
  const parts = [];
  if (requirements.peak_rps) parts.push(`${number.format(requirements.peak_rps)} req/s`);
  if (requirements.p99_ms) parts.push(`P99 ${number.format(requirements.p99_ms)} ms`);
  if (requirements.monthly_budget_usd) parts.push(`$${number.format(requirements.monthly_budget_usd)}/month`);
  return parts.join(" · ");
}

function card(template, titles, open) {
  const image = el("img", { loading: "lazy", decoding: "async", alt: `Diagram of the ${template.title} board`, src: template.thumbnail_url });
  const picture = el("div", { class: "template-thumb" }, image);
  // A picture that cannot be drawn leaves the card usable, with its title in place of the diagram.
  image.addEventListener("error", () => picture.classList.add("missing"), { once: true });

  const button = el("button", {
    class: "template-open", type: "button", text: "Start from this template",
    "aria-label": `Start a new board from the ${template.title} template`,
    onclick: async () => {
      button.disabled = true;
      button.textContent = "Creating…";
      const opened = await open(template.id);
      if (!opened) {
        button.disabled = false;
        button.textContent = "Start from this template";
      }
    },
  });
  const body = el("div", { class: "template-body" },
    el("h3", { text: template.title }),
    el("p", { class: "template-description", text: template.description }),
    el("p", { class: "template-meta", text: requirementsLine(template.requirements) }),
    template.broken
      ? el("span", { class: "template-badge broken", text: "Broken on purpose", title: "It misses its requirements as given; the notes hint at the fix." })
      : null,
    template.drill
      ? el("span", { class: "template-badge drill", text: "Failure drill", title: "It runs a fault; as given it does not ride it out, and the notes hint at the fix." })
      : null,
    template.compare_with && titles[template.compare_with]
      ? el("p", { class: "template-pair muted", text: `Compare with ${titles[template.compare_with]}` })
      : null,
    button);
  // The whole card answers a click, as people expect of a gallery tile.
  picture.addEventListener("click", () => button.click());
  return el("li", { class: "template-card", "data-template": template.id }, picture, body);
}

/**
 * Fills `list` with the template gallery. `open(templateId)` creates the board and navigates to it
 * (the same function the "New board" form uses); it resolves false when creating failed.
 */
export async function renderGallery(list, status, open) {
  const response = await fetch("/api/templates/", { headers: { Accept: "application/json" } }).catch(() => null);
  if (!response || !response.ok) {
    status.textContent = "The case-study templates could not be loaded. Reload the page to try again.";
    status.hidden = false;
    return;
  }
  const { templates } = await response.json();
  const titles = Object.fromEntries(templates.map((t) => [t.id, t.title]));
  list.replaceChildren(...templates.map((template) => card(template, titles, open)));
  list.dataset.ready = "true";
}
