// The subscription form, loaded as its own file on first need: a modal
// <dialog> (top layer, inert page behind it) in its own shadow root, with a
// focus trap, Escape to close, labelled fields and an aria-live status line.

import { post, type APIError, type Subscription } from "./api";
import type { Channel } from "./config";
import { emit } from "./events";
import { strings, type Strings } from "./i18n";
import type { Page } from "./types";

let host: HTMLElement | undefined;
let root: ShadowRoot;
let opener: Element | null | undefined;

const $ = <T extends Element>(sel: string) => root.querySelector(sel) as T;
const input = (name: string) => $<HTMLInputElement>(`[name=${name}]`);

/** esc escapes text for use in html. */
function esc(text: string): string {
  return text.replace(/[&<>"]/g, (c) => "&#" + c.charCodeAt(0) + ";");
}

// lang is the language to mark a text with: a built-in text is marked with its
// language, so a screen reader speaks it as such; the theme's own text (an
// override) keeps the page's.
function lang(page: Page, key: keyof Strings): string {
  const own = page.options.strings as Record<string, string | undefined>;
  return own[key] || own[key.toLowerCase()] ? "" : page.lang;
}

// langAttr marks a built-in text with its language and lets it take its
// own direction, so the English consent stays left to right in a form whose
// title the theme wrote in Arabic. The title does not: the form (dir=auto)
// takes its direction from it, and the close button is placed by that.
function langAttr(page: Page, key: keyof Strings): string {
  const l = lang(page, key);
  return l ? ` lang="${l}"` + (key == "close" || key == "title" ? "" : ` dir="auto"`) : "";
}

// narrow is a window where the country select's line has room for a
// calling code and a country code only (a phone at 200% zoom), not a name.
// It is followed while the form is open: a phone turned, a window resized.
const narrow = matchMedia("(max-width: 299px)");

function phoneFields(page: Page, s: Strings, required: boolean): string {
  const { phone, tag, options } = page;
  // ISO 3166 codes are upper case; a theme may write "fr" or " FR ".
  const country = phone!.defaultCountry(tag, options.country || "");
  return `<label for="n"${langAttr(page, "phone")}>${esc(s.phone)}</label>` +
    `<p class="d" id="nh"${langAttr(page, "phoneHint")}>${esc(s.phoneHint)}</p><div class="p"><select class="i" name="country" aria-label="${esc(s.country)}">` +
    phone!.countryOptions(tag, country, narrow.matches) + `</select>` +
    `<input class="i" id="n" name="phone" type="tel" autocomplete="tel" aria-describedby="nh"${required ? " required" : ""}></div>` +
    `<label class="c"><input type="checkbox" name="sms_consent"><span${langAttr(page, "sms")}>${esc(s.sms)}</span></label>`;
}

// offersMarketing reads the marketing option as one rule for every way of
// giving it: data-marketing="true" arrives as a string, and a theme's
// template may write {marketing: "false"} into window.Stockbell.
function offersMarketing(page: Page): boolean {
  return String(page.options.marketing) == "true";
}

function html(page: Page, s: Strings, offers: Channel[]): string {
  const email = offers.includes("email"), sms = offers.includes("sms");
  return `<dialog role="dialog" aria-modal="true" aria-labelledby="t" dir="auto"><form novalidate>` +
    `<button class="x" type="button"${langAttr(page, "close")} aria-label="${esc(s.close)}">×</button>` +
    `<h2 id="t"${langAttr(page, "title")}>${esc(s.title)}</h2><div class="f">` +
    (email ? `<label for="e"${langAttr(page, "email")}>${esc(s.email)}</label><input class="i" id="e" name="email" type="email" autocomplete="email"${sms ? "" : " required"}>` : "") +
    (sms ? phoneFields(page, s, !email) : "") +
    (offersMarketing(page) ? `<label class="c"><input type="checkbox" name="marketing_consent"><span${langAttr(page, "marketing")}>${esc(s.marketing)}</span></label>` : "") +
    `<input class="h" name="website" tabindex="-1" autocomplete="off" aria-hidden="true">` +
    `<button class="s" type="submit"${langAttr(page, "submit")}>${esc(s.submit)}</button></div>` +
    `<p class="m" id="m" role="status" aria-live="polite" dir="auto"></p></form></dialog>`;
}

/** describe ties a field to the status line while it is refused, then to its hint ("nh" of "n"), if any. */
function describe(el: Element, refused: boolean): void {
  const ids = [refused ? "m" : "", el.id && root.getElementById(el.id + "h") ? el.id + "h" : ""].filter((id) => id);
  ids.length ? el.setAttribute("aria-describedby", ids.join(" ")) : el.removeAttribute("aria-describedby");
}

/** The pending frame that says a repeated text again. */
let refill = 0;

/** status shows text on the status line, marked with language l ("" for the page's). */
function status(text: string, error?: boolean, field?: string, l = ""): void {
  const line = $<HTMLElement>("#m");
  const show = () => {
    line.textContent = text;
    l ? line.setAttribute("lang", l) : line.removeAttribute("lang");
    line.className = error ? "m e" : "m";
  };
  cancelAnimationFrame(refill);
  // A live region is announced when it changes: the same text again (a
  // second refusal of the same entry) is emptied first and said on the
  // next frame, as the button's notice is.
  if (line.textContent == text) {
    line.textContent = "";
    refill = requestAnimationFrame(show);
  } else show();
  // No contact given (field "channels") marks the first contact field the
  // form has: an SMS-only form has no email field.
  const el = field && (field == "channels" ? input("email") || input("phone") : input(field));
  if (el) {
    el.setAttribute("aria-invalid", "true");
    describe(el, true);
    el.focus();
  }
}

function focusable(): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>("button,input,select")]
    .filter((el) => el.tabIndex >= 0 && !(el as HTMLButtonElement).disabled && el.offsetParent);
}

function trap(e: KeyboardEvent): void {
  if (e.key != "Tab") return;
  const list = focusable(), first = list[0], last = list[list.length - 1];
  const active = root.activeElement;
  if (e.shiftKey ? active == first : active == last) {
    e.preventDefault();
    (e.shiftKey ? last : first).focus();
  }
}

/** phoneNumber turns what was typed into an international number for the server to normalise. */
function phoneNumber(page: Page, raw: string, country: string): string {
  const digits = raw.replace(/\D/g, "");
  if (!digits) return "";
  return /^\s*(\+|00)/.test(raw) ? "+" + digits.replace(/^00/, "") : "+" + page.phone!.dialCode(country) + digits;
}

/** refuse shows the text under key for the field at fault, in the page's language. */
function refuse(page: Page, s: Strings, key: keyof Strings, field: string): false {
  status(s[key], true, field, lang(page, key));
  return false;
}

// valid checks the form before posting it. Its texts are the form's own,
// as for the server's refusals: the browser's validation messages are in
// the browser's language, not the page's.
function valid(page: Page, s: Strings, body: Subscription): boolean {
  for (const c of body.channels) {
    const el = input(c == "sms" ? "phone" : "email");
    if (!el.checkValidity()) return refuse(page, s, c == "sms" ? "invalidPhone" : "invalidEmail", el.name);
  }
  if (!body.channels.length) return refuse(page, s, "missing", "channels");
  if (body.channels.includes("sms") && !input("sms_consent").checked) return refuse(page, s, "invalidSmsConsent", "sms_consent");
  return true;
}

// requireConsent marks the SMS consent required while a phone number is
// given, as a submit then refuses it unticked. aria-required rather than
// required: a blank required checkbox is announced as invalid at once.
function requireConsent(): void {
  input("sms_consent").setAttribute("aria-required", String(/\d/.test(input("phone").value)));
}

// followWidth rewrites the country options, and only them, when the
// window crosses the narrow width: the number typed and the focus stay.
function followWidth(page: Page): void {
  const select = $<HTMLSelectElement>("select");
  narrow.onchange = select && (() => (select.innerHTML = page.phone!.countryOptions(page.tag, select.value, narrow.matches)));
}

function read(page: Page, variant: string): Subscription {
  const { options } = page;
  const value = (name: string) => (input(name) ? input(name).value.trim() : "");
  const checked = (name: string) => !!input(name) && input(name).checked;
  const email = value("email");
  const phone = input("phone") ? phoneNumber(page, input("phone").value, value("country")) : "";
  const channels = options.channels.filter((c) => (c == "sms" ? phone : email));
  const body: Subscription = {
    shop: options.shop, variant_id: variant, email: channels.includes("email") ? email : "",
    phone: channels.includes("sms") ? phone : "", channels,
    sms_consent: checked("sms_consent"), marketing_consent: checked("marketing_consent"), locale: page.lang,
  };
  if (value("website")) body.website = value("website");
  return body;
}

// refusals names the text shown for each refusal of the server the form
// knows, by the error's code and field: the server words them in English.
const refusals: Record<string, keyof Strings> = {
  "invalid email": "invalidEmail",
  "invalid phone": "invalidPhone",
  "invalid sms_consent": "invalidSmsConsent",
  "invalid variant_id": "invalidVariant",
  "invalid channels": "missing",
  rate_limited: "rateLimited",
  internal: "error",
};

/**
 * refusal returns the text to show for an error and the language to mark
 * it with: the built-in (or theme's) text for a known refusal, else the
 * server's message, which is English, else (none given, or the server could
 * not be reached) the generic text.
 */
function refusal(page: Page, s: Strings, error: APIError): [string, string] {
  const key = refusals[error.code + (error.field ? " " + error.field : "")] || (error.message ? undefined : "error");
  return key ? [s[key], lang(page, key)] : [error.message, "en"];
}

async function submit(e: Event, page: Page, s: Strings, variant: string): Promise<void> {
  e.preventDefault();
  root.querySelectorAll("[aria-invalid]").forEach((el) => (el.removeAttribute("aria-invalid"), describe(el, false)));
  const body = read(page, variant);
  if (!valid(page, s, body)) return;
  const button = $<HTMLButtonElement>(".s");
  button.disabled = true;
  status(s.sending, false, "", lang(page, "sending"));
  const res = await post(page.options.api, body);
  button.disabled = false;
  if (res.error) {
    const [text, l] = refusal(page, s, res.error);
    status(text, true, res.error.field, l);
    // Disabling the pressed button dropped its focus to the page; a refusal
    // of no field gives it back, so the shopper can press again.
    if (!root.activeElement) button.focus();
    emit("error", { variantId: variant, status: res.status, ...res.error });
    return;
  }
  $<HTMLElement>(".f").hidden = true;
  const awaiting = (res.subscription?.awaiting_confirmation || []) as string[];
  const key: keyof Strings = awaiting.length ? (awaiting.length > 1 ? "confirmBoth" : awaiting[0] == "sms" ? "confirmSms" : "confirmEmail")
    : res.status == 200 ? "already" : body.channels.includes("email") ? "done" : "doneSms";
  status(s[key], false, "", lang(page, key));
  $<HTMLElement>(".x").focus();
  emit("subscribed", { variantId: variant, created: res.status == 201, subscription: res.subscription });
}

/** notifyButtons lists the page's notify buttons' hosts, in page order. */
const notifyButtons = () => [...document.querySelectorAll<HTMLElement>("stockbell-button")];

/** The place of the opener's host among notifyButtons, for a block re-rendered while the form is open. */
let place = -1;

/** hostOf is the notify button's host an element is in, if any. */
const hostOf = (el: Element | null | undefined) => (el?.getRootNode() as ShadowRoot | undefined)?.host as HTMLElement | undefined;

/** takes focuses el and reports whether it took the focus. */
function takes(el: Element | null | undefined): boolean {
  (el as HTMLElement | null | undefined)?.focus?.();
  return !!el && (el.getRootNode() as Document | ShadowRoot).activeElement == el;
}

/**
 * giveFocusBack returns focus to where it was before the form opened. A
 * theme may have changed the page meanwhile: a block it re-rendered has a
 * new notify button in the old one's place, which takes it; a notify
 * button hidden (its variant came back in stock) cannot take it, and the
 * add-to-cart button beside it, or in its form, does instead. Focus is
 * never left on nothing.
 */
function giveFocusBack(page: Page): void {
  if (takes(opener)) return;
  let host = hostOf(opener);
  if (host && !host.isConnected) host = notifyButtons()[place];
  if (!host || takes(host.shadowRoot?.querySelector("button")) || takes(host.previousElementSibling)) return;
  takes(host.parentElement?.querySelector(page.options.anchor));
}

/** open shows the form for a variant; focus returns to `from` when it closes. */
export function open(page: Page, variant: string, from?: Element | null): void {
  const s = strings(page.texts, page.options.strings);
  if (!host) [host, root] = page.shadow("stockbell-dialog", "<div></div>", __FORM_CSS__);
  // Made once and kept, but a storefront whose router swaps the whole
  // <body> (Turbo, htmx) took it away with the old one.
  if (!host.isConnected) document.body.append(host);
  // Colours configured since the form was made (configure({colors})).
  const colors = page.options.colors;
  for (const name in colors) host.style.setProperty("--stockbell-" + name, colors[name]);
  // Opened again while open (Stockbell.open() from a theme), the form is
  // shown anew for that variant, and focus still returns where it was
  // before the form first opened: the form itself has it now.
  if (!$<HTMLDialogElement>("dialog")?.open) {
    opener = from || document.activeElement;
    place = notifyButtons().indexOf(hostOf(opener)!);
  }
  (root.lastChild as HTMLElement).innerHTML = html(page, s, page.phone ? page.options.channels : ["email"]);
  const dialog = $<HTMLDialogElement>("dialog");
  dialog.addEventListener("keydown", trap);
  dialog.addEventListener("close", () => giveFocusBack(page));
  $<HTMLElement>(".x").onclick = () => dialog.close();
  $<HTMLFormElement>("form").onsubmit = (e) => submit(e, page, s, variant);
  const phone = input("phone");
  if (phone) phone.oninput = requireConsent;
  followWidth(page);
  dialog.showModal();
  (focusable()[1] || focusable()[0]).focus();
}
