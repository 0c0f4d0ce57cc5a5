// Phone countries: a compact table of calling codes; country names come from
// the browser (Intl.DisplayNames) in the shopper's language. Numbers typed
// with a leading + or 00 are taken as international whatever the country.

const table = ("US1 CA1 GB44 IE353 FR33 BE32 LU352 CH41 DE49 AT43 NL31 ES34 PT351 IT39 DK45 SE46 NO47 " +
  "FI358 PL48 CZ420 HU36 RO40 GR30 AU61 NZ64 MX52 BR55 AR54 CL56 CO57 JP81 KR82 CN86 HK852 SG65 " +
  "IN91 AE971 IL972 TR90 ZA27 MA212 SK421 SI386 HR385 BG359 LT370 LV371 EE372 IS354 MT356 CY357 LI423").split(" ");

/** listed returns the table's entry of exactly this country code ("FR" → "FR33"), if any. */
const listed = (country: string) => table.find((e) => e.slice(0, 2) == country);

/** dialCode returns the calling code of an ISO 3166 alpha-2 country, "1" if unknown. */
export function dialCode(country: string): string {
  const entry = listed(country);
  return entry ? entry.slice(2) : "1";
}

/**
 * defaultCountry returns the first of the theme's country (any case), the
 * region of a locale tag ("fr-CA" → CA) and the browser's region that the
 * select lists, else US: one it does not list would leave the list's first
 * country selected.
 */
export function defaultCountry(tag: string, given = ""): string {
  const region = (t: string) => ((/[-_]([a-z]{2})\b/i.exec(t) || [])[1] || "").toUpperCase();
  return [given.trim().toUpperCase(), region(tag), region(navigator.language)]
    .find((c) => c && listed(c)) || "US";
}

/**
 * countryOptions renders <option>s sorted by name in the locale, with
 * `selected` chosen. Each reads "+33 France", or "+33 FR" when short: a
 * select shows its chosen option on one line, and where that line is
 * narrow most names would be cut.
 */
export function countryOptions(tag: string, selected: string, short = false): string {
  let names: Intl.DisplayNames | undefined;
  try {
    names = new Intl.DisplayNames([tag], { type: "region" });
  } catch {
    names = undefined;
  }
  return table
    .map((e) => [names?.of(e.slice(0, 2)) || e.slice(0, 2), e.slice(0, 2), e.slice(2)])
    .sort((a, b) => a[0].localeCompare(b[0], names && tag))
    .map(([name, code, dial]) => `<option value="${code}"${code == selected ? " selected" : ""}>+${dial} ${short ? code : name}</option>`)
    .join("");
}
