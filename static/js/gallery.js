// Start page gallery: the case-study templates, each with its thumbnail and one line, opening as a new board.

const number = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

function requirementsLine(requirements) {
  const parts = [];
  if (requirements.peak_rps) parts.push(`${number.format(requirements.peak_rps)} req/s`);
  if (requirements.p99_ms) parts.push(`P99 ${number.format(requirements.p99_ms)} ms`);
  if (requirements.monthly_budget_usd) parts.push(`$${number.format(requirements.monthly_budget_usd)}/month`);
  return parts.join(" · ");
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function card(template, titles, open) {
  const item = element("li", "template-card");
  item.dataset.template = template.id;
  const picture = element("div", "template-thumb");
  const image = element("img");
  image.loading = "lazy";
  image.decoding = "async";
  image.alt = `Diagram of the ${template.title} board`;
  image.src = template.thumbnail_url;
  // A picture that cannot be drawn leaves the card usable, with its title in place of the diagram.
  image.addEventListener("error", () => picture.classList.add("missing"), { once: true });
  picture.append(image);

  const body = element("div", "template-body");
  const heading = element("h3", "", template.title);
  const description = element("p", "template-description", template.description);
  const meta = element("p", "template-meta", requirementsLine(template.requirements));
  body.append(heading, description, meta);
  if (template.broken) {
    const badge = element("span", "template-badge broken", "Broken on purpose");
    badge.title = "It misses its requirements as given; the notes hint at the fix.";
    body.append(badge);
  }
  if (template.compare_with && titles[template.compare_with]) {
    body.append(element("p", "template-pair muted", `Compare with ${titles[template.compare_with]}`));
  }
  const button = element("button", "template-open", "Start from this template");
  button.type = "button";
  button.setAttribute("aria-label", `Start a new board from the ${template.title} template`);
  button.addEventListener("click", async () => {
    button.disabled = true;
    button.textContent = "Creating…";
    const opened = await open(template.id);
    if (!opened) {
      button.disabled = false;
      button.textContent = "Start from this template";
    }
  });
  body.append(button);
  // The whole card answers a click, as people expect of a gallery tile.
  picture.addEventListener("click", () => button.click());
  item.append(picture, body);
  return item;
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
