package snippet

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The snippet's texts follow the rules the server's shopper texts follow
// (server/web/shopper_texts_internal_test.go and
// server/delivery/shopper_texts_test.go): a button, form or notice cannot
// know the shopper's gender nor the item's, and French punctuation stays
// on its line.

// languageTexts returns the string literals of a language file under
// src/lang (its button, its retry notice and its form's texts), unquoted
// as the script reads them.
func languageTexts(t *testing.T, lang string) []string {
	t.Helper()
	source := readFile(t, "src/lang/"+lang+".ts")
	source = regexp.MustCompile(`(?s:/\*.*?\*/)|(?m:^\s*//.*$)`).ReplaceAllString(source, "")
	var texts []string
	for _, literal := range regexp.MustCompile(`"(?:[^"\\\n]|\\.)*"`).FindAllString(source, -1) {
		text, err := strconv.Unquote(literal)
		if err != nil {
			t.Fatalf("%s: %s: %v", lang, literal, err)
		}
		texts = append(texts, text)
	}
	if len(texts) < 20 {
		t.Fatalf("%s: read %d texts from src/lang/%s.ts, want its every text", lang, len(texts), lang)
	}
	return texts
}

// frenchPunctuationOffTheLine is a ":", ";", "!" or "?" that a line can
// start with: after an ordinary space, or after no space at all.
var frenchPunctuationOffTheLine = regexp.MustCompile(`(^|[^\x{a0}\x{202f}])[:;!?]`)

// TestFrenchSnippetKeepsPunctuationOnItsLine: French writes a no-break
// space before ":", ";", "!" and "?", as the server's French pages and
// emails do: after an ordinary space a phone's narrow form can start a
// line with the "!" of "Merci !".
func TestFrenchSnippetKeepsPunctuationOnItsLine(t *testing.T) {
	for _, text := range languageTexts(t, "fr") {
		if bad := frenchPunctuationOffTheLine.FindAllString(text, -1); bad != nil {
			t.Errorf("%q without a no-break space before it: %q", bad, text)
		}
	}
}

// shopperGenderedWords are, per language, the words that said of the
// shopper take a gender the snippet cannot know ("Vous êtes déjà
// inscrit", "Ya estás suscrito"): the masculine is wrong for every woman
// who reads it.
var shopperGenderedWords = map[string]*regexp.Regexp{
	"fr": regexp.MustCompile(`(?i)(^|\P{L})(prévenue?s?|avertie?s?|inscrite?s?|désinscrite?s?|contactée?s?|abonnée?s?|désabonnée?s?|informée?s?)(\P{L}|$)`),
	"es": regexp.MustCompile(`(?i)(^|\P{L})(avisad[oa]s?|suscrit[oa]s?|inscrit[oa]s?|apuntad[oa]s?|registrad[oa]s?|informad[oa]s?|notificad[oa]s?|dad[oa]s? de baja)(\P{L}|$)`),
}

// itemGenderedWords are, per language, the pronouns and adjectives that
// stand for the item with a gender of their own: "sobald er wieder da
// ist" is wrong for "das Hemd", "il est de retour" for "la chemise",
// "agotado" for "la camiseta". German's "Sie" and "es" are left out: the
// snippet says "Sie" to the shopper and "versuchen Sie es" of nothing.
var itemGenderedWords = map[string]*regexp.Regexp{
	"fr": regexp.MustCompile(`(^|\P{L})(il|elle|ils|elles|Il|Elle|Ils|Elles)(\P{L}|$)`),
	"de": regexp.MustCompile(`(^|\P{L})(er|ihn|ihm|Er|Ihn|Ihm)(\P{L}|$)`),
	"es": regexp.MustCompile(`(?i)(^|\P{L})(agotad[oa]s?|repuest[oa]s?|él|ella)(\P{L}|$)`),
}

// TestSnippetNeedsNoGenderItCannotKnow: every French, German and Spanish
// text of the snippet, the button's and the retry notice's included,
// speaks to any shopper of any item.
func TestSnippetNeedsNoGenderItCannotKnow(t *testing.T) {
	for _, lang := range []string{"fr", "de", "es"} {
		for _, text := range languageTexts(t, lang) {
			if words := shopperGenderedWords[lang]; words != nil {
				if bad := words.FindAllString(text, -1); bad != nil {
					t.Errorf("%s: %q gives the shopper a gender: %q", lang, strings.Join(bad, ""), text)
				}
			}
			if bad := itemGenderedWords[lang].FindAllString(text, -1); bad != nil {
				t.Errorf("%s: %q stands for the item with a gender: %q", lang, strings.Join(bad, ""), text)
			}
		}
	}
}
