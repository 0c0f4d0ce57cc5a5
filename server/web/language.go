package web

import (
	"net/http"
	"strconv"
	"strings"
)

// pageLanguages are the languages the shopper pages speak, the default
// first: it is also what "*" (any language) chooses when the header names
// none of the others.
var pageLanguages = []string{"en", "fr", "de", "es"}

// requestLanguage is the page language the request's Accept-Language asks
// for, every line of the header read as one list.
func requestLanguage(r *http.Request) string {
	return pageLanguage(strings.Join(r.Header.Values("Accept-Language"), ","))
}

// pageLanguage negotiates the page language from an Accept-Language header
// (RFC 9110 §12.5.4) or a single locale such as "fr-CA" or "de_DE": the
// page language with the highest q-value wins, a tie going to the one
// named first. A language counts at the best q of its entries, bare or
// regional ("fr-CA" asks for French), unless its bare entry has q=0, which
// refuses it; "*" gives its q to every page language the header does not
// name. A malformed entry is skipped, not an error; with nothing usable
// the page is in English.
func pageLanguage(header string) string {
	best, bestQ, bestAt := pageLanguages[0], 0.0, 0
	for i, lang := range pageLanguages {
		q, at, ok := acceptance(header, lang)
		if ok && q > 0 && (q > bestQ || q == bestQ && at < bestAt) {
			best, bestQ, bestAt = pageLanguages[i], q, at
		}
	}
	return best
}

// acceptance is how much the header accepts lang: the q-value and the
// position of the entry that gives it; ok is false when no entry names
// lang, bare, regional or by "*".
func acceptance(header, lang string) (q float64, at int, ok bool) {
	wildQ, wildAt, wild := 0.0, 0, false
	for i, entry := range strings.Split(header, ",") {
		tag, entryQ, valid := parseLanguageRange(entry)
		primary, _, _ := strings.Cut(tag, "-")
		switch {
		case !valid:
		case tag == "*" && !wild:
			wildQ, wildAt, wild = entryQ, i, true
		case tag == lang && entryQ == 0:
			return 0, i, true // refused outright
		case primary == lang && (!ok || entryQ > q):
			q, at, ok = entryQ, i, true
		}
	}
	if !ok && wild {
		return wildQ, wildAt, true
	}
	return q, at, ok
}

// parseLanguageRange reads one entry of Accept-Language, "fr-CA;q=0.8":
// its tag in lower case ("_" read as "-", as a stored locale writes it)
// and its q-value, 1 when not given. Parameters other than q are ignored.
// valid is false for an entry that is not a language range or whose q is
// not a number from 0 to 1 with at most three decimals.
func parseLanguageRange(entry string) (tag string, q float64, valid bool) {
	params := strings.Split(entry, ";")
	tag = strings.ReplaceAll(strings.ToLower(strings.TrimSpace(params[0])), "_", "-")
	if !isLanguageRange(tag) {
		return "", 0, false
	}
	q = 1
	for _, param := range params[1:] {
		key, value, _ := strings.Cut(param, "=")
		if strings.TrimSpace(key) != "q" {
			continue
		}
		var ok bool
		if q, ok = parseQValue(strings.TrimSpace(value)); !ok {
			return "", 0, false
		}
	}
	return tag, q, true
}

// isLanguageRange reports whether tag is "*" or subtags of 1 to 8 letters
// or digits joined by "-", the first of letters only.
func isLanguageRange(tag string) bool {
	if tag == "*" {
		return true
	}
	for i, subtag := range strings.Split(tag, "-") {
		if len(subtag) < 1 || len(subtag) > 8 {
			return false
		}
		for _, c := range subtag {
			if !('a' <= c && c <= 'z' || i > 0 && '0' <= c && c <= '9') {
				return false
			}
		}
	}
	return true
}

// parseQValue reads a qvalue: "0", "1", or up to three decimals after
// "0." or "1." (no more than 1).
func parseQValue(s string) (float64, bool) {
	whole, decimals, _ := strings.Cut(s, ".")
	if whole != "0" && whole != "1" || len(decimals) > 3 || strings.Trim(decimals, "0123456789") != "" {
		return 0, false
	}
	q, err := strconv.ParseFloat(s, 64)
	return q, err == nil && q <= 1
}
