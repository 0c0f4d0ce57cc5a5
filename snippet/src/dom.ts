// Small DOM helpers shared by the button and the dialog.

import { options } from "./config";

/** shadow creates a host element with an open shadow root holding the snippet's styles and html. */
export function shadow(tag: string, html: string): [HTMLElement, ShadowRoot] {
  const host = document.createElement(tag);
  const root = host.attachShadow({ mode: "open" });
  fill(root, html);
  paint(host);
  return [host, root];
}

/** fill replaces a shadow root's content, styles included. */
export function fill(root: ShadowRoot, html: string): void {
  root.innerHTML = "<style>" + __CSS__ + "</style>" + html;
}

/** paint copies the configured colours onto a host as --stockbell-* custom properties. */
export function paint(host: HTMLElement): void {
  for (const name in options.colors) host.style.setProperty("--stockbell-" + name, options.colors[name]);
}

/** esc escapes text for use in html. */
export function esc(text: string): string {
  return text.replace(/[&<>"]/g, (c) => "&#" + c.charCodeAt(0) + ";");
}

/** emit dispatches a stockbell:NAME event on document. */
export function emit(name: string, detail: unknown): void {
  document.dispatchEvent(new CustomEvent("stockbell:" + name, { detail }));
}
