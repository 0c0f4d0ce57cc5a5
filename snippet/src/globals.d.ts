// Replaced at bundle time by snippet.Build (esbuild defines).

/** The minified shared stylesheet (base.css), in the first-load script. */
declare const __CSS__: string;
/** The minified form stylesheet (form.css), in the form file. */
declare const __FORM_CSS__: string;
/** The lazy files' hashes by name ("form" → "0123abcd…"), in the first-load script. */
declare const __FILES__: Record<string, string>;

interface Window {
  Shopify?: { routes?: { root?: string } };
  Stockbell?: unknown;
}
