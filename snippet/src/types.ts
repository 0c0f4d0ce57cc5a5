// What the first-load script hands to the files it loads later. A page
// cached across a release runs an older first-load script with the newer
// form, so this contract only grows: fields are added, never changed, and
// one the script no longer passes (post) is one the form no longer reads.

import type { post } from "./api";
import type { Options } from "./config";
import type * as phone from "./phone";

/** Page is the first-load script's state and helpers, given to the form. */
export interface Page {
  /** options is the live options object (configure() changes it). */
  options: Options;
  /** tag is the locale tag in use ("fr-FR"). */
  tag: string;
  /** lang is the built-in language of tag ("fr"), sent with the subscription. */
  lang: string;
  /** texts are the language file's texts, in the order of i18n.ts keys. */
  texts: string[];
  /** phone is the phone helper, loaded when SMS is offered. */
  phone?: typeof phone;
  /** shadow creates a host whose shadow root uses the shared stylesheet plus css. */
  shadow(tag: string, html: string, css?: string): [HTMLElement, ShadowRoot];
  /**
   * post sends a subscription to options.api. First-load scripts of
   * earlier releases pass it; the form now imports its own (api.ts).
   */
  post?: typeof post;
}

/** Form is the form file's interface. */
export interface Form {
  /** open shows the form for a variant; focus returns to `from` when it closes. */
  open(page: Page, variant: string, from?: Element | null): void;
}
