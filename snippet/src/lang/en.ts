// English texts in the order of `keys` in ../i18n.ts. The form loads this
// file as its own module; the first-load script takes only `button` and `retry`.

/** button is the label of the notify button, shown before any interaction. */
export const button = "Notify me when available";

/**
 * retry tells a shopper whose press could not load the form (its files
 * failed) that pressing again tries again.
 */
export const retry = "Could not load. Press again to retry.";

export default [
  button,
  "Get notified when it's back",
  "Email",
  "Phone number",
  "Country",
  "Text me once when it's back in stock. Msg & data rates may apply. Reply STOP to opt out.",
  "Also send me news and offers",
  "Notify me",
  "Sending…",
  "Thanks! We'll email you when it's back.",
  "Thanks! We'll text you when it's back.",
  "You're already on the list for this item.",
  "Enter an email address or a phone number.",
  "Something went wrong. Please try again.",
  "Close",
  "Check your email: open the link we just sent to confirm your alert.",
  "Check your phone: reply YES to the text we just sent to confirm your alert.",
  "Check your phone and email: confirm your alert from the text and the email we just sent.",
  retry,
  "Enter a valid email address, like name@example.com.",
  "Enter a valid mobile number: text messages cannot be sent to this one.",
  "Tick the box to agree to receive text messages.",
  "This item is available again or takes no alerts now: reload the page.",
  "Too many tries. Please try again in a minute.",
  "A mobile number that can receive texts, with or without the country code.",
];
