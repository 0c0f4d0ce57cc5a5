// Stockbell's storefront snippet: shows a "Notify me when available" button
// on sold-out variants and posts the shopper's subscription back to the
// server that served this script.
//
//   <script src="https://APP/snippet.js" data-shop="SHOP_KEY" defer></script>
//
// API: Stockbell.configure({...}), Stockbell.open({variantId}); events
// stockbell:ready, stockbell:subscribed and stockbell:error on document.
//
// This is the first-load script: detection, the button, the options, the
// button's label and the notice shown when the form could not be loaded.
// The form, the rest of the texts and the phone helper are separate files
// it loads later (lazy.ts).

import { problem } from "./api";
import { render, type Slot } from "./button";
import { report } from "./click";
import { configure, currentScript, fromScript, options, type Options } from "./config";
import { markerSlot, markers, shopifyHandle, shopifySlot } from "./detect";
import { emit } from "./events";
import { locate, open } from "./lazy";

// Keyed by the marked element, or by document for the Shopify product (always connected).
const slots = new Map<Node, Slot>();
let pending = false;
/** The server's word on this shop and page, asked once a button could show. */
let verdict: Promise<boolean> | undefined;
/** The shop and endpoint the verdict was asked for, and those it allowed. */
let asked: string | undefined, allowed: string | undefined;

/** asking names the shop and endpoint configured now. */
const asking = () => options.api + options.shop;

function collect(): void {
  const found = markers();
  // A router that puts a page back from its HTML (htmx's history) brings
  // back copies of our elements without their shadow roots: empty boxes
  // that the theme's layout would still place beside the new ones.
  document.querySelectorAll("stockbell-button,stockbell-dialog").forEach((el) => el.shadowRoot || el.remove());
  slots.forEach((slot, key) => {
    if (!key.isConnected) slot.host_?.remove(), slots.delete(key);
  });
  for (const el of found) if (!slots.has(el)) slots.set(el, markerSlot(el, found.length == 1));
}

/** followed reads the first product's selected variant and whether it is sold out, if there is one. */
function followed(): [string?, boolean?, string?] {
  return [...slots.values()][0]?.read_() || [];
}

/** wanted reports whether a button could show: a sold-out variant is chosen or reserved. */
function wanted(): boolean {
  return [...slots.values()].some((s) => s.reserve_ || s.read_()[1]);
}

/**
 * verify asks the server once whether the shop takes subscriptions from
 * this page. A shop unknown there or uninstalled, or a page that is not one
 * of its storefronts, gets one console warning naming the problem, and no
 * button. A shop or endpoint configured later is asked about again, and
 * the answer about the one before it then counts for nothing.
 */
function verify(): Promise<boolean> {
  const key = asking();
  if (key != asked) {
    asked = key;
    verdict = problem(options.api, options.shop).then((why) => {
      // A shop or endpoint configured since has its own verdict coming.
      if (key != asked) return false;
      if (why) console.warn("Stockbell: " + why + " No button is shown.");
      else allowed = key;
      return !why;
    });
  }
  return verdict!;
}

function refresh(): void {
  collect();
  if (allowed != asking()) {
    if (wanted()) verify().then((ok) => ok && refresh());
    return;
  }
  slots.forEach((slot) => render(slot, open));
}

function schedule(): void {
  if (pending) return;
  pending = true;
  queueMicrotask(() => {
    pending = false;
    refresh();
  });
}

function watch(): void {
  new MutationObserver(schedule).observe(document.documentElement, {
    subtree: true, childList: true, attributes: true,
    attributeFilter: ["data-stockbell-variant", "data-stockbell-available"],
  });
}

async function start(): Promise<void> {
  const handle = shopifyHandle();
  if (!markers().length && handle) {
    const slot = await shopifySlot(handle, schedule);
    if (slot) slots.set(document, slot);
  }
  // Every page is watched: a storefront may add its marked products later
  // (rendered in the browser, a quick view). Finding none costs no request.
  watch();
  collect();
  if (wanted()) await verify();
  refresh();
  // Read, not taken from the last render: a product shown in stock, or on
  // a page the server refused, has not been rendered.
  const [variantId = null, soldOut = false] = followed();
  emit("ready", { variantId, soldOut });
}

function install(): void {
  const preset = window.Stockbell as (Partial<Options> & { open?: unknown }) | undefined;
  if (typeof preset?.open == "function") return; // loaded twice
  const script = currentScript();
  fromScript(script);
  if (script) locate(script.src);
  if (typeof preset == "object") configure(preset!); // null configures nothing
  report();
  window.Stockbell = {
    /** configure merges options, reports the click a shop given late awaited, and re-renders the buttons. */
    configure(update: Partial<Options>) {
      configure(update);
      report();
      refresh();
    },
    /** open shows the form for a variant, by default the first product's selected one. */
    open(arg?: { variantId?: string | number }) {
      open(String(arg?.variantId || followed()[0] || ""));
    },
  };
  if (document.readyState == "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
}

install();
