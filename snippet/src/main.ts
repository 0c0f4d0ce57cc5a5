// Stockbell's storefront snippet: shows a "Notify me when available" button
// on sold-out variants and posts the shopper's subscription back to the
// server that served this script.
//
//   <script src="https://APP/snippet.js" data-shop="SHOP_KEY" defer></script>
//
// API: Stockbell.configure({...}), Stockbell.open({variantId}); events
// stockbell:ready, stockbell:subscribed and stockbell:error on document.
//
// This is the first-load script: detection, the button, the options and the
// button's label. The form, the rest of the texts and the phone helper are
// separate files it loads later (lazy.ts).

import { render, type Slot } from "./button";
import { configure, currentScript, fromScript, locale, options, type Options } from "./config";
import { markerSlot, markers, shopifyHandle, shopifySlot } from "./detect";
import { emit } from "./events";
import { label } from "./labels";
import { locate, open } from "./lazy";

const slots = new Map<unknown, Slot>();
let pending = false;

function refresh(): void {
  const found = markers();
  slots.forEach((slot, key) => {
    if (key instanceof Element && !key.isConnected) slot.host?.remove(), slots.delete(key);
  });
  for (const el of found) if (!slots.has(el)) slots.set(el, markerSlot(el, found.length == 1));
  const text = options.strings.button || label(locale());
  slots.forEach((slot) => render(slot, text, open));
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
  if (markers().length) watch();
  else if (handle) {
    const slot = await shopifySlot(handle, schedule);
    if (slot) slots.set(document, slot), watch();
  }
  refresh();
  const first = [...slots.values()][0];
  emit("ready", { variantId: first ? first.variant : null, soldOut: !!first && first.read()[1] });
}

function install(): void {
  const preset = window.Stockbell as (Partial<Options> & { open?: unknown }) | undefined;
  if (preset && typeof preset.open == "function") return; // loaded twice
  const script = currentScript();
  fromScript(script);
  if (script) locate(script.src);
  if (preset && typeof preset == "object") configure(preset);
  window.Stockbell = {
    /** configure merges options and re-renders the buttons. */
    configure(update: Partial<Options>) {
      configure(update);
      refresh();
    },
    /** open shows the form for a variant, by default the first product's selected one. */
    open(arg?: { variantId?: string | number }) {
      const first = [...slots.values()][0];
      open(String((arg && arg.variantId) || (first && first.variant) || ""));
    },
  };
  if (document.readyState == "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
}

install();
