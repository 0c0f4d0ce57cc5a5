// Events for the theme, shared by the first-load script and the form.

/** emit dispatches a stockbell:NAME event on document. */
export function emit(name: string, detail: unknown): void {
  document.dispatchEvent(new CustomEvent("stockbell:" + name, { detail }));
}
