// The notify button's label in every built-in language: the only text a
// page shows before the shopper interacts, so the only text in the
// first-load script. The rest of each language loads with the form.

import { button as de } from "./lang/de";
import { button as en } from "./lang/en";
import { button as es } from "./lang/es";
import { button as fr } from "./lang/fr";

const labels: Record<string, string> = { en, fr, de, es };

/** language returns the built-in language for a locale tag ("fr-CA" → "fr"), English by default. */
export function language(tag: string): string {
  const lang = tag.slice(0, 2).toLowerCase();
  return labels[lang] ? lang : "en";
}

/** label returns the button label for a locale tag. */
export function label(tag: string): string {
  return labels[language(tag)];
}
