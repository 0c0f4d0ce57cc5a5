// The form's texts. Each built-in language (en, fr, de, es) is its own file
// under lang/, loaded with the form; every string can be overridden with
// configure({strings}) or a data-text-KEY attribute.

export interface Strings {
  button: string;
  title: string;
  email: string;
  phone: string;
  country: string;
  sms: string;
  marketing: string;
  submit: string;
  sending: string;
  done: string;
  doneSms: string;
  already: string;
  missing: string;
  error: string;
  close: string;
  confirmEmail: string;
  confirmSms: string;
  confirmBoth: string;
  /** The notice beside the button when a press could not load the form. */
  retry: string;
  /** The server's refusals the form knows, by the error's code and field (dialog.ts). */
  invalidEmail: string;
  invalidPhone: string;
  invalidSmsConsent: string;
  invalidVariant: string;
  rateLimited: string;
  /** The format the phone field expects, shown under its label. */
  phoneHint: string;
}

// The order of the texts in a language file. A page cached across a release
// pairs its script with newer language files, so keys are only appended.
const keys = [
  "button", "title", "email", "phone", "country", "sms", "marketing", "submit",
  "sending", "done", "doneSms", "already", "missing", "error", "close",
  "confirmEmail", "confirmSms", "confirmBoth", "retry",
  "invalidEmail", "invalidPhone", "invalidSmsConsent", "invalidVariant", "rateLimited",
  "phoneHint",
] as const;

/**
 * strings returns a language file's texts with overrides applied. An
 * override is found under its key or the key in lower case: HTML lower-cases
 * attribute names, so data-text-doneSms arrives as "donesms"
 * (data-text-done-sms arrives as "doneSms").
 */
export function strings(texts: string[], overrides: Record<string, string | undefined>): Strings {
  const out = {} as Strings;
  keys.forEach((key, i) => (out[key] = overrides[key] || overrides[key.toLowerCase()] || texts[i]));
  return out;
}
