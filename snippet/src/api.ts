// The subscription request, and the click report: simple CORS requests
// (text/plain body holding JSON) so that the browser sends no preflight.
// The first-load script and the form both import it, each bundling only
// what it uses: the wire contract stays in one place whatever file sends.

import type { Channel } from "./config";

/** Subscription is the body of POST /api/storefront/v1/subscriptions. */
export interface Subscription {
  shop: string;
  variant_id: string;
  email: string;
  phone: string;
  channels: Channel[];
  sms_consent: boolean;
  marketing_consent: boolean;
  locale: string;
  /** The honeypot; sent only when a bot filled it. */
  website?: string;
}

/** Click is the body of POST /api/storefront/v1/clicks: the click id found in the page's address. */
export interface Click {
  shop: string;
  code: string;
}

/** APIError is the server's {"error":{...}} answer, or a network failure. */
export interface APIError {
  code: string;
  message: string;
  field?: string;
}

/** Result is the outcome of a post: created (201), existing (200) or an error. */
export interface Result {
  status: number;
  subscription?: Record<string, unknown>;
  error?: APIError;
}

/**
 * send posts a subscription or a click as a simple request. The click
 * report uses no answer, so the first-load script needs only this; the
 * form decodes the answer with post.
 */
export function send(url: string, body: Subscription | Click): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "Content-Type": "text/plain" },
    body: JSON.stringify(body),
    // The request outlives its page: a shopper who leaves at once (the
    // page an alert's link opened, a tab closed after subscribing) still
    // has the click or the subscription delivered. A beacon would too, but its
    // answer cannot be read.
    keepalive: true,
  });
}

/**
 * post sends the subscription and decodes the answer: the status with the
 * answer's subscription, or its error (a network failure has status 0).
 * Only the form uses it, so it is bundled into the form's file.
 */
export function post(url: string, body: Subscription): Promise<Result> {
  return send(url, body).then(
    (res) => res.json().catch(() => ({})).then((data): Result =>
      res.ok ? { status: res.status, subscription: data.subscription } : { status: res.status, error: data.error || { code: "http", message: "" } }),
    () => ({ status: 0, error: { code: "network", message: "" } }),
  );
}

/**
 * problem asks the server whether the shop takes subscriptions from this
 * page (GET …/status?shop=KEY) and returns why not, or "" when it does. A
 * network failure is no verdict: the form reports it when used. A URL
 * without the status sibling (not ending in subscriptions) is asked
 * nothing: it is the reason.
 */
export async function problem(url: string, shop: string): Promise<string> {
  const status = url.replace(/subscriptions$/, "status?shop=");
  if (status == url) return "data-api must end in subscriptions.";
  return fetch(status + encodeURIComponent(shop)).then(
    // An answer without our error (a proxy's own 404) is named by its status.
    (res) => res.ok ? "" : res.json().then((d) => d.error.message).catch(() => "the server answered " + res.status + "."),
    () => "",
  );
}
