// The form, each language's texts and the phone helper are separate
// content-hashed ES modules next to the snippet. They are imported when
// the browser is idle with a button on screen, or at the latest when the
// shopper opens the form, so a product page pays only for the button.

import { locale, options } from "./config";
import { shadow } from "./dom";
import { emit } from "./events";
import { language } from "./labels";
import type { Form, Page } from "./types";

let folder = "/snippet/";
let preloading = false;
/** The press being served, while its files load. */
let opening: Promise<boolean> | undefined;
const files: Record<string, Promise<unknown> | undefined> = {};

/** locate finds the folder of the lazy files from the snippet's own URL. */
export function locate(src: string): void {
  const m = /^(.*\/snippet)(\/\w+)?\.js/.exec(src);
  if (m) folder = m[1] + "/";
}

// file imports one lazy file once; a failed import is tried again next time.
function file<T>(name: string): Promise<T> {
  return (files[name] ||= import(folder + name + "." + __FILES__[name] + ".js").catch((e) => {
    files[name] = undefined;
    throw e;
  })) as Promise<T>;
}

// load imports the form's files. It settles only once every import has:
// a press right after a failure must not meet an import still on its way
// to failing (one failed file would otherwise end the wait for the rest).
function load(): Promise<[Form, { default: string[] }, Page["phone"]]> {
  const all = [
    file<Form>("form"), file<{ default: string[] }>(language(locale())),
    options.channels.includes("sms") ? file<Page["phone"]>("phone") : undefined,
  ] as const;
  return Promise.allSettled(all).then(() => Promise.all(all));
}

/** preload fetches what the form needs once the browser is idle. */
export function preload(): void {
  if (preloading) return;
  preloading = true;
  (window.requestIdleCallback || setTimeout)(() => load().catch(() => (preloading = false)));
}

/**
 * open loads what the form needs (at once if already loaded), shows the
 * form for a variant and resolves to whether the files loaded. Clicks while
 * it loads share one attempt; a failed load is reported as a network error,
 * and the next click tries again.
 */
export function open(variant: string, from?: Element | null): Promise<boolean> {
  return (opening ||= load().then(([form, texts, phone]) => {
    const tag = locale();
    form.open({ options, tag, lang: language(tag), texts: texts.default, phone, shadow }, variant, from);
    return true;
  }, () => (emit("error", { variantId: variant, status: 0, code: "network", message: "" }), false))
    .finally(() => (opening = undefined)));
}
