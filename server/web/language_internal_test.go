package web

import (
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
)

// TestPageLanguageNegotiatesTheWholeHeader: the shopper pages' language is
// the one of the page's (en, fr, de, es) the Accept-Language header values
// most, by q-value, then by header order; a regional tag counts for its
// language; "*" stands for any language the header does not name; q=0
// refuses; a malformed entry is skipped and a header with nothing usable
// gives English.
func TestPageLanguageNegotiatesTheWholeHeader(t *testing.T) {
	for _, c := range []struct{ header, want string }{
		{"", "en"},
		{"fr", "fr"},
		{"fr-CA", "fr"},
		{"de_DE", "de"},           // a locale as stored, not a header
		{"zh-CN, fr;q=0.9", "fr"}, // first choice not spoken: the second
		{"zh-CN,zh;q=0.9,de;q=0.8,en;q=0.7", "de"},
		{"en;q=0.1, de", "de"},                    // q-values, not order
		{"es;q=0.5, fr;q=0.5", "es"},              // a tie goes to the first named
		{"fr-CA;q=0.8, fr;q=0.3, de;q=0.5", "fr"}, // the language's best entry
		{"fr;q=0.3, fr-CA;q=0.8, de;q=0.5", "fr"},
		{"FR-ch", "fr"},          // case-insensitive
		{"pt-BR, *;q=0.5", "en"}, // any language: the page's first
		{"*", "en"},
		{"en;q=0, *", "fr"}, // any language but English
		{"en;q=0, fr;q=0, *;q=0.2", "de"},
		{"de;q=0, en;q=0, fr;q=0, es;q=0", "en"}, // nothing acceptable: English, not an error
		{"fr;q=0, fr-CA", "en"},                  // fr refused outright; fr-CA does not undo it
		{"it, de;q=0.001", "de"},
		{"es;q=1.0, de;q=1", "es"},
		{"de;q=0.8;level=1, es;q=0.5", "de"}, // extension parameters are ignored
		{"de ; q = 0.8 , es;q=0.5", "de"},    // optional whitespace
		// Malformed entries are skipped, the rest still counts.
		{"fr;q=abc, de;q=0.2", "de"},
		{"fr;q=1.5, de;q=0.2", "de"},
		{"fr;q=-1, de;q=0.2", "de"},
		{"fr;q=0.1234, de;q=0.2", "de"},
		{"f r, es;q=0.2", "es"},
		{"<script>, es;q=0.2", "es"},
		{"toolongsubtag-fr, es;q=0.2", "es"},
		{"fr-, es;q=0.2", "es"},
		{",,;, de", "de"},
		{";q=0.9", "en"},
		{"\xff\xfe", "en"},
	} {
		if got := pageLanguage(c.header); got != c.want {
			t.Errorf("pageLanguage(%q) = %q, want %q", c.header, got, c.want)
		}
	}
}

// TestRequestLanguageReadsEveryAcceptLanguageLine: a request that carries
// the header on two lines is read as one list.
func TestRequestLanguageReadsEveryAcceptLanguageLine(t *testing.T) {
	r, _ := http.NewRequest(http.MethodGet, "/", nil)
	r.Header.Add("Accept-Language", "zh-CN")
	r.Header.Add("Accept-Language", "es;q=0.4")
	if got := requestLanguage(r); got != "es" {
		t.Errorf("requestLanguage = %q, want es", got)
	}
}

// TestShopperPagesSpeakEveryPageLanguage: each shopper page has texts for
// every language the negotiation may choose, and for no other.
func TestShopperPagesSpeakEveryPageLanguage(t *testing.T) {
	want := slices.Clone(pageLanguages)
	sort.Strings(want)
	for name, langs := range map[string][]string{
		"unsubscribe": languagesOf(pageTexts), "undo": languagesOf(undoTexts), "confirm": languagesOf(confirmTexts), "dead link": languagesOf(deadLinkTexts),
	} {
		if !slices.Equal(langs, want) {
			t.Errorf("%s page speaks %s, want %s", name, strings.Join(langs, ","), strings.Join(want, ","))
		}
	}
}

func languagesOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
