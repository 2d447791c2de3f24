// Building DOM elements in one call: the one helper every panel and page script uses.

/**
 * `el("button", { class: "primary", text: "Run", onclick: run, "data-step": "data" }, child, "text")`
 *
 * Attributes: `class` sets the class name, `text` the text content (never HTML), `on<event>` adds a
 * listener; anything else is set as an attribute, where `true` gives an empty value and `false`,
 * null or undefined leave the attribute out. Children are nodes or strings; null ones are skipped.
 */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

/** `<option>` elements for a `<select>`, one per value, labelled with the value itself. */
export function options(values) {
  return values.map((value) => el("option", { value, text: value }));
}

/**
 * `node`'s children made `children` (null ones left out), keeping in place each child already shown
 * that is drawn the same (`isEqualNode`: same markup) or is itself among them. A redraw that changes
 * nothing then touches nothing: a button pressed and not yet released is still the one released on
 * (else the click is lost), and a focused field keeps the focus.
 */
export function refill(node, ...children) {
  const shown = [...node.childNodes];
  const wanted = children.filter((child) => child !== null && child !== undefined)
    .map((child) => (typeof child === "string" ? document.createTextNode(child) : child));
  const next = wanted.map((child, index) => {
    const old = shown[index];
    return old && old !== child && !wanted.includes(old) && old.isEqualNode(child) ? old : child;
  });
  for (const old of shown) if (!next.includes(old)) old.remove();
  next.forEach((child, index) => {
    if (node.childNodes[index] !== child) node.insertBefore(child, node.childNodes[index] || null);
  });
}
