// Replaced at bundle time by snippet.Build with the minified contents of
// style.css (an esbuild define), so the bundle carries its own styles.
declare const __CSS__: string;

interface Window {
  Shopify?: { routes?: { root?: string } };
  Stockbell?: unknown;
}
