// Options: read from the script tag's data attributes, then from
// window.Stockbell (a plain object set before the script) and
// Stockbell.configure({...}).

import type { Strings } from "./i18n";

export type Channel = "email" | "sms";
export type Placement = "after" | "replace" | "inside";

/** Options a theme can set. */
export interface Options {
  shop: string;
  /** The subscription endpoint; derived from the script's own URL by default. */
  api: string;
  locale?: string;
  channels: Channel[];
  placement: Placement;
  /** CSS selector of the add-to-cart button the button is placed after. */
  anchor: string;
  /** Default phone country, ISO 3166 alpha-2. */
  country?: string;
  /**
   * Offer the marketing opt-in: true or "true" (the data attribute's
   * value, or a theme template's); any other value, "false" included, does
   * not. The form reads it (dialog.ts, offersMarketing).
   */
  marketing?: boolean | string;
  strings: Partial<Strings>;
  /** CSS custom properties without the --stockbell- prefix: accent, accent-text, button-background, text, background, error, radius, font. */
  colors: Record<string, string>;
}

// locale, country and marketing are left out until given: every reader
// takes their absence as not given (locale(), the form's fallbacks), and
// the first-load script is spared their defaults.
export const options: Options = {
  shop: "",
  api: "",
  channels: ["email"],
  placement: "after",
  anchor: 'form[action*="/cart/add"] [type=submit],form[action*="/cart/add"] [name=add]',
  strings: {},
  colors: {},
};

/** The path of the storefront subscription API on the app server. */
export const apiPath = "/api/storefront/v1/subscriptions";

/** currentScript finds the script element that loaded the snippet. */
export function currentScript(): HTMLScriptElement | null {
  return (document.currentScript as HTMLScriptElement) ||
    document.querySelector("script[data-shop][src*='snippet']");
}

function channelsOf(value: string): Channel[] {
  const list = value.split(/\W+/).filter((c) => c == "email" || c == "sms") as Channel[];
  return value == "both" ? ["email", "sms"] : list.length ? list : ["email"];
}

/** kebab turns a camel-case colour name (accentText) into its CSS form (accent-text). */
function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());
}

/**
 * fromScript reads data-* attributes of the script tag into the options:
 * data-text-KEY into strings, data-color-NAME into colors.
 */
export function fromScript(script: HTMLScriptElement | null): void {
  if (!script) return;
  if (script.src) options.api = new URL(script.src).origin + apiPath;
  const data = script.dataset;
  const plain: Record<string, string> = {}, strings: Record<string, string> = {}, colors: Record<string, string> = {};
  for (const name in data) {
    const m = /^(text|color)(.+)$/.exec(name);
    if (m) (m[1] == "text" ? strings : colors)[m[2][0].toLowerCase() + m[2].slice(1)] = data[name]!;
    else plain[name] = data[name]!;
  }
  configure({ ...plain, strings, colors } as never);
}

/**
 * configure merges options; strings and colors merge key by key, and a
 * colour may be named in camel case (buttonBackground) as strings are.
 * An anchor that is not a CSS selector is named in the console and
 * ignored, so the one in force stays.
 */
export function configure(update: Partial<Options> & { channels?: Channel[] | string }): void {
  for (const key in update) {
    const value = (update as Record<string, unknown>)[key];
    if (value == null || value === "") continue;
    // The anchor goes to querySelector and matches, which throw on a
    // string that is not a selector: one is tried here, and refused.
    if (key == "anchor") {
      try {
        document.querySelector(value as string);
      } catch {
        console.warn(`Stockbell: data-anchor "${value}" is not a CSS selector. It is ignored.`);
        continue;
      }
    }
    if (key == "strings") Object.assign(options.strings, value);
    else if (key == "colors") for (const name in value as object) options.colors[kebab(name)] = (value as Record<string, string>)[name];
    else if (key == "channels") options.channels = channelsOf(String(value));
    else (options as unknown as Record<string, unknown>)[key] = value;
  }
}

/** locale is the configured locale, else the page's language, else the browser's. */
export function locale(): string {
  return options.locale || document.documentElement.lang || navigator.language || "en";
}
