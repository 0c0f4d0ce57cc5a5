// The click of a message's link, counted where it lands. An email links
// straight to the product page, with the click id sb_click in its address
// (no redirect through the app, which link scanners would follow and
// count), so the first-load script reports it on every page, button or
// not: the page of a restocked variant, where most alerts land, has none.

import { send } from "./api";
import { options } from "./config";
import { param } from "./detect";

// code is the page's click id until it has been reported.
let code = param("sb_click");

/**
 * report sends the page's click id, if any, to the clicks route beside the
 * subscription endpoint, once per page load: as the script starts, or,
 * for a shop given only later (Stockbell.configure from the theme's own
 * script), once it is given, since a click without its shop is refused.
 * The server counts one click per message per 30 minutes, so a reload or
 * going back counts nothing more; the address keeps sb_click for the
 * shop's own analytics. An endpoint that does not end in subscriptions has
 * no such sibling, and is sent nothing.
 */
export function report(): void {
  const to = options.api.replace(/subscriptions$/, "clicks");
  // The answer is read though nothing uses it, as the form reads a
  // subscription's: the page's resource timing (and the tests) see the
  // request finished only once its body is, and a failure is kept out of
  // the console.
  if (code && options.shop && to != options.api) send(to, { shop: options.shop, code }).then((res) => res.text(), () => ""), (code = "");
}
