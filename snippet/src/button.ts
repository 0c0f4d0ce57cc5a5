// The "Notify me when available" button: one per product slot, in its own
// shadow root so that theme CSS cannot restyle it.
//
// Layout: a product known to have a sold-out variant (Shopify's product
// JSON says so up front; a data-attribute product once it has shown one)
// gets its button box at once, switched with visibility, so switching
// variants never moves the page; while hidden the button is invisible,
// unfocusable and absent from the accessibility tree. In "replace"
// placement the add-to-cart button and ours swap places instead, each
// display:none while the other shows. A shown button asks for the form's
// files once the browser is idle. A press that could not load them leaves a
// notice under the button (a live region) until a press opens the form. A
// button whose product the page names carries that name in its accessible
// name, and every button tells a screen reader that it opens a dialog.

import { options } from "./config";
import { attr, shadow } from "./dom";
import { label } from "./labels";
import { preload } from "./lazy";

/** Open shows the form for a variant and reports whether its files loaded. */
export type Open = (variant: string, from: Element) => Promise<boolean>;

/** Where is the element the button goes into (inside=true) or after. */
export type Where = [Element, boolean];

/**
 * Slot is one product on the page whose selected variant is followed. Its
 * fields end in "_": no other file reads them, so the build shortens their
 * names (build.go, mangle).
 */
export interface Slot {
  /**
   * read returns the selected variant id, whether it is sold out and, when
   * the page gives it, the product's name.
   */
  read_(): [string, boolean, string?];
  where_(): Where | null;
  /** Create the (hidden) button before any sold-out variant is selected, so showing it moves nothing. */
  reserve_?: boolean;
  host_?: HTMLElement;
  button_?: HTMLButtonElement;
  /** The add-to-cart button hidden in replace placement. */
  hidden_?: HTMLElement;
}

function create(slot: Slot, open: Open): void {
  const [host, root] = shadow("stockbell-button",
    '<button class="b" part="button" type="button" aria-haspopup="dialog" dir="auto"></button><p role="status" dir="auto"></p>');
  const button = root.querySelector("button")!, notice = root.querySelector("p")!;
  button.onclick = () => {
    // Emptied first, so that a second failure is announced again.
    notice.textContent = "";
    open(slot.read_()[0], button).then((loaded) => {
      const [text, lang] = label(1);
      notice.textContent = loaded ? "" : text;
      attr(notice, "lang", lang);
    });
  };
  slot.host_ = host;
  slot.button_ = button;
}

function place(host: HTMLElement, where: Where): void {
  const [el, inside] = where;
  if (inside ? host.parentNode != el : el.nextSibling != host) inside ? el.append(host) : el.after(host);
}

function show(el: HTMLElement, prop: string, value: string): void {
  if (el.style.getPropertyValue(prop) != value) el.style.setProperty(prop, value, "important");
}

/**
 * render creates, places and shows or hides a slot's button. A built-in
 * label is marked with its language; the theme's own keeps the page's.
 */
export function render(slot: Slot, open: Open): void {
  const [, soldOut, name] = slot.read_();
  const where = slot.where_();
  if (!where || (!slot.host_ && !soldOut && !slot.reserve_)) return;
  if (!slot.host_) create(slot, open);
  const host = slot.host_!;
  place(host, where);
  // The configured colours, as --stockbell-* custom properties.
  for (const color in options.colors) host.style.setProperty("--stockbell-" + color, options.colors[color]);
  const [text, lang] = label(0);
  if (slot.button_!.textContent != text) slot.button_!.textContent = text;
  attr(slot.button_!, "lang", lang);
  // Several buttons on a page are told apart by their product; the name
  // starts with the visible label, so voice control still finds it.
  attr(slot.button_!, "aria-label", name && text + " – " + name);
  // Only an add-to-cart button gives way: a marked product without one has
  // the button after it, and must not itself be hidden.
  const replace = options.placement == "replace" && !where[1] && where[0].matches(options.anchor);
  show(host, "display", replace && !soldOut ? "none" : "block");
  show(host, "visibility", soldOut ? "visible" : "hidden");
  if (soldOut) preload();
  // The add-to-cart button to hide now, if any; one hidden before and no
  // longer (back in stock, another placement, a re-rendered button) shows again.
  const hide = replace && soldOut && where[0] instanceof HTMLElement ? where[0] : undefined;
  if (slot.hidden_ && slot.hidden_ != hide) slot.hidden_.style.removeProperty("display");
  if (hide) show(hide, "display", "none");
  slot.hidden_ = hide;
}
