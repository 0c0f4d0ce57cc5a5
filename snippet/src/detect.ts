// Sold-out detection. Pages that print data-stockbell-variant /
// data-stockbell-available (BigCommerce, Magento 2, PrestaShop, custom
// storefronts) need no request at all. Shopify product pages without those
// attributes are read from {routes.root}products/{handle}.js, where
// `available` is false only for a variant that cannot be bought (a
// continue-selling or untracked variant stays available).

import { options } from "./config";
import type { Slot, Where } from "./button";

function container(scope: ParentNode): Where | null {
  const el = scope.querySelector("[data-stockbell-button]");
  return el ? [el, true] : null;
}

// placed is where the button goes by the placement option: after the
// add-to-cart button, or with "inside" at the end of that button's form.
function placed(anchor: Element | null): Where | null {
  const form = anchor && options.placement == "inside" && anchor.closest("form");
  return form ? [form, true] : anchor && [anchor, false];
}

/**
 * markerSlot follows one element carrying data-stockbell-variant. Only a
 * variant chosen can be sold out: with none (a size not picked yet) there
 * is nothing to subscribe to, whatever the availability says.
 */
export function markerSlot(el: Element, single: boolean): Slot {
  return {
    read_: () => {
      const id = el.getAttribute("data-stockbell-variant") || "";
      return [id, el.getAttribute("data-stockbell-available") == "false" && !!id, el.getAttribute("data-stockbell-name") || ""];
    },
    where_: () => {
      if (!el.isConnected) return null;
      if (el.hasAttribute("data-stockbell-button")) return [el, true];
      return container(el) || (single && container(document)) || placed(el.querySelector(options.anchor)) ||
        [el, options.placement == "inside"];
    },
  };
}

/** markers lists the elements carrying data-stockbell-variant. */
export function markers(): Element[] {
  return [...document.querySelectorAll("[data-stockbell-variant]")];
}

interface Product {
  title: string;
  variants: { id: number | string; available: boolean }[];
}

/** shopifyHandle returns the product handle of a Shopify product page, or "". */
export function shopifyHandle(): string {
  return (window.Shopify && /\/products\/([^/?#.]+)/.exec(location.pathname)?.[1]) || "";
}

/** param is a parameter of the page's address, "" when absent. */
export function param(name: string): string {
  return new URLSearchParams(location.search).get(name) || "";
}

/**
 * cartField reports whether el is the cart form's variant field: named id,
 * inside a form posting to /cart/add or tied to one by form="…".
 */
function cartField(el: HTMLInputElement): boolean {
  // A form without an action tests "undefined", which names no cart.
  return el.name == "id" && /\/cart\/add/.test(el.form?.getAttribute("action")!);
}

// selected is the variant the product's own cart form holds: the value of
// the first cart form's id field (for radio buttons named id, the checked
// one) that own accepts. Another product's cart form before it (a quick
// add in the header, a featured product) names none of the product's
// variants and is passed over.
function selected(own: (id: string) => unknown): string | undefined {
  return [...document.querySelectorAll<HTMLInputElement>("[name=id]")]
    .find((el) => cartField(el) && (el.type != "radio" || el.checked) && own(el.value))?.value;
}

/**
 * follow calls picked with the cart form's variant field on its change
 * events, and moved after every change of the page's address.
 */
function follow(picked: (id: string) => void, moved: () => void): void {
  document.addEventListener("change", (e) => {
    const el = e.target as HTMLInputElement;
    if (cartField(el)) picked(el.value);
  }, true);
  const h = history as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const name of ["pushState", "replaceState"]) {
    const original = h[name];
    h[name] = function (this: History, ...args: unknown[]) {
      const result = original.apply(this, args);
      moved();
      return result;
    };
  }
  addEventListener("popstate", moved);
}

/**
 * shopifySlot reads the product JSON; it returns null (and follows nothing)
 * when no variant is sold out.
 */
export async function shopifySlot(handle: string, changed: () => void): Promise<Slot | null> {
  const root = window.Shopify!.routes?.root || "/";
  let product: Product;
  try {
    product = await (await fetch(root + "products/" + handle + ".js")).json();
  } catch {
    return null;
  }
  if (!product.variants.find((v) => !v.available)) return null;
  // The product's variant of an id (a string of the page, a number of the JSON: == compares them).
  const variant = (id: string) => product.variants.find((v) => v.id == id);
  // The variant Shopify selects when the page names none: the first
  // available, else (every one sold out) the first.
  const first = "" + (product.variants.find((v) => v.available) || product.variants[0]).id;
  // The page's path and ?variant=: only a change of either says which
  // variant the page shows. A hash or another parameter leaves the one the
  // shopper picked, which the address may not name.
  const address = () => location.pathname + "?" + param("variant");
  let seen = address(), picked = "";
  follow((id) => {
    // An emptied field (no variant has the options chosen) is no pick, nor
    // is a variant of another product whose cart form the page also shows
    // (a featured product, a quick add).
    if (variant(id)) picked = id;
    changed();
  }, () => {
    if (address() != seen) (seen = address()), (picked = "");
    changed();
  });
  // The variant the page shows: the one picked since the address changed,
  // else the address's, else its own cart form's, else the one Shopify
  // selects; none on another product's page (a client-side router's).
  const shown = () => (shopifyHandle() == handle && (picked || param("variant") || selected(variant) || first)) || "";
  return {
    reserve_: true,
    read_: () => [shown(), variant(shown())?.available == false, product.title],
    where_: () => container(document) || placed(document.querySelector(options.anchor)),
  };
}
