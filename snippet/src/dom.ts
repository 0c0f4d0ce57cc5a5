// Shadow roots for the button and the form, all sharing one constructed
// stylesheet (the button rules) instead of a <style> copy per button.

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
  return [host, root];
}

/**
 * attr sets an attribute, or removes it when value is empty: a lang of ""
 * lets the element inherit the page's language.
 */
export function attr(el: Element, name: string, value?: string): void {
  value ? el.setAttribute(name, value) : el.removeAttribute(name);
}
