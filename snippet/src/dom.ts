// Shadow roots for the button and the form, all sharing one constructed
// stylesheet (the button rules) instead of a <style> copy per button.

import { options } from "./config";

const sheets: Record<string, CSSStyleSheet> = {};

function sheet(css: string): CSSStyleSheet {
  if (!sheets[css]) (sheets[css] = new CSSStyleSheet()).replaceSync(css);
  return sheets[css];
}

/**
 * shadow creates a host element with an open shadow root holding html,
 * styled by the shared stylesheet plus `css`. Browsers without constructed
 * stylesheets (Safari before 16.4) get a <style> element instead.
 */
export function shadow(tag: string, html: string, css = ""): [HTMLElement, ShadowRoot] {
  const host = document.createElement(tag);
  const root = host.attachShadow({ mode: "open" });
  const styles = [__CSS__, css];
  try {
    root.adoptedStyleSheets = styles.map(sheet);
  } catch {
    html = "<style>" + styles.join("") + "</style>" + html;
  }
  root.innerHTML = html;
  paint(host);
  return [host, root];
}

/** mark sets an element's language, or lets it inherit the page's when lang is "". */
export function mark(el: Element, lang: string): void {
  lang ? el.setAttribute("lang", lang) : el.removeAttribute("lang");
}

/** paint copies the configured colours onto a host as --stockbell-* custom properties. */
export function paint(host: HTMLElement): void {
  for (const name in options.colors) host.style.setProperty("--stockbell-" + name, options.colors[name]);
}
