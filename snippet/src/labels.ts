// The texts a page can show before the form's files arrive, in every
// built-in language: the notify button's label and the notice that a press
// could not load the form. The rest of each language loads with the form.

import { locale, options } from "./config";
import { button as de, retry as deRetry } from "./lang/de";
import { button as en, retry as enRetry } from "./lang/en";
import { button as es, retry as esRetry } from "./lang/es";
import { button as fr, retry as frRetry } from "./lang/fr";

// Each language's [button, retry]: a pair, not an object, as its keys would be
// repeated in the first-load script for every language.
const labels: Record<string, [button: string, retry: string]> = {
  en: [en, enRetry],
  fr: [fr, frRetry],
  de: [de, deRetry],
  es: [es, esRetry],
};

/** Label names a text of the first-load script by its place in a pair: 0 the button's, 1 the retry notice. */
export type Label = 0 | 1;

/** language returns the built-in language for a locale tag ("fr-CA" → "fr"), English by default. */
export function language(tag: string): string {
  const lang = tag.slice(0, 2).toLowerCase();
  return labels[lang] ? lang : "en";
}

/**
 * label returns a text and the language to mark it with: the theme's own
 * text (data-text-KEY, strings) with "" (it keeps the page's language),
 * else the built-in text in the locale's language.
 */
export function label(key: Label): [string, string] {
  const own = options.strings[key ? "retry" : "button"], lang = language(locale());
  return own ? [own, ""] : [labels[lang][key], lang];
}
