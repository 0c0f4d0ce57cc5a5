package web

import (
	"bytes"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// shopperTexts lists every text of the pages a shopper reaches from a
// message (unsubscribe with its sign-up dates and its Undo, confirmation,
// dead links), in lang, each named by where it is found.
func shopperTexts(lang string) map[string]string {
	out := map[string]string{}
	addStrings := func(prefix string, v reflect.Value) {
		for i := range v.NumField() {
			if f := v.Field(i); f.Kind() == reflect.String {
				out[prefix+v.Type().Field(i).Name] = f.String()
			}
		}
	}
	addStrings("page.", reflect.ValueOf(pageTexts[lang]))
	confirm := confirmTexts[lang]
	addStrings("confirm.", reflect.ValueOf(confirm))
	for closure, closed := range confirm.Closed {
		out[fmt.Sprintf("confirm.Closed[%v].Title", closure)] = closed.Title
		out[fmt.Sprintf("confirm.Closed[%v].Text", closure)] = closed.Text
	}
	dead := reflect.ValueOf(deadLinkTexts[lang])
	for i := range dead.NumField() {
		addStrings("deadLink."+dead.Type().Field(i).Name+".", dead.Field(i))
	}
	out["signedUp"] = signedUpText(time.Date(2025, 3, 1, 14, 0, 0, 0, time.UTC), lang, true)
	undo := undoTexts[lang]
	out["undo.Undo"], out["undo.Hint"] = undo.Undo, undo.Hint()
	for result := range undo.results {
		out[fmt.Sprintf("undo.Result[%v]", result)] = undo.Result(result)
	}
	return out
}

// sortedKeys returns a map's keys in order, for failures that read the same each run.
func sortedKeys(texts map[string]string) []string {
	keys := make([]string, 0, len(texts))
	for k := range texts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// frenchPunctuationOffTheLine is a ":", ";", "!" or "?" that a line can
// start with: after an ordinary space, or after no space at all.
var frenchPunctuationOffTheLine = regexp.MustCompile(`(^|[^\x{a0}\x{202f}])[:;!?]`)

// TestFrenchShopperPagesKeepPunctuationOnItsLine: French writes a space
// before ":", ";", "!" and "?", and it must be a no-break one, as the
// French emails have it: after an ordinary space a phone's narrow page
// can start a line with the colon. Every French text of the shopper's
// pages is checked, and so is the Remove button's name on the page.
func TestFrenchShopperPagesKeepPunctuationOnItsLine(t *testing.T) {
	texts := shopperTexts("fr")
	for _, key := range sortedKeys(texts) {
		if bad := frenchPunctuationOffTheLine.FindAllString(texts[key], -1); bad != nil {
			t.Errorf("%s: %q without a no-break space before it: %q", key, bad, texts[key])
		}
	}
	alerts := &stockbell.ContactAlerts{Contact: "lea@example.com", Shop: "Atelier Nord", Active: 1,
		Alerts: []stockbell.ContactAlert{{SubscriptionID: 3, Product: "Linen shirt", Variant: "M", Active: true}}}
	var page bytes.Buffer
	err := unsubscribePageTemplate.Execute(&page, unsubscribePage{Lang: "fr", T: pageTexts["fr"], U: undoTexts["fr"], Alerts: alerts})
	if err != nil {
		t.Fatal(err)
	}
	if want := `aria-label="Retirer` + "\u00a0" + `: Linen shirt (M)"`; !strings.Contains(page.String(), want) {
		t.Errorf("the French Remove button is not named %s:\n%s", want, page.String())
	}
}

// frenchGenderedWords are past participles and adjectives that, said of
// the shopper ("vous serez prévenu"), take a gender the page cannot know.
var frenchGenderedWords = regexp.MustCompile(`(?i)(^|\P{L})(prévenue?s?|avertie?s?|inscrite?s?|désinscrite?s?|contactée?s?|abonnée?s?|désabonnée?s?|informée?s?)(\P{L}|$)`)

// TestFrenchShopperPagesAddressEveryShopper: the French pages say what
// happens to the shopper without a word whose gender is the shopper's
// (prévenu, inscrit, contacté…): the page cannot know it, and the
// masculine one is wrong for every woman who reads it.
func TestFrenchShopperPagesAddressEveryShopper(t *testing.T) {
	texts := shopperTexts("fr")
	for _, key := range sortedKeys(texts) {
		if bad := frenchGenderedWords.FindAllString(texts[key], -1); bad != nil {
			t.Errorf("%s: %q takes the shopper's gender: %q", key, bad, texts[key])
		}
	}
}

// frenchElidedBeforeName is a word French elides before a vowel ("que",
// "de", "le", "la", "ne", "se", "je", "me", "te") written whole before a
// name the page fills in: "de Alpine Wool Sweater" where French writes
// "d'Alpine".
var frenchElidedBeforeName = regexp.MustCompile(`(?i)\b(que|de|le|la|ne|se|je|me|te|lorsque|puisque) %(\[\d\])?s`)

// TestFrenchShopperPagesElideNoName: a shop, product or contact named in
// a French sentence never follows a word French elides before a vowel, so
// the sentence is right whether the name starts with one or not.
func TestFrenchShopperPagesElideNoName(t *testing.T) {
	texts := shopperTexts("fr")
	for _, key := range sortedKeys(texts) {
		if bad := frenchElidedBeforeName.FindAllString(texts[key], -1); bad != nil {
			t.Errorf("%s: %q, wrong before a name starting with a vowel: %q", key, bad, texts[key])
		}
	}
}

// TestShopperPagesSpeakEveryLanguageFully: each language the shopper's
// pages speak has every text of English, none empty, none left in
// English, and each formatted text names the same things as English's.
func TestShopperPagesSpeakEveryLanguageFully(t *testing.T) {
	english := shopperTexts("en")
	verbs := regexp.MustCompile(`%(\[\d\])?s`)
	for lang := range pageTexts {
		if lang == "en" {
			continue
		}
		texts := shopperTexts(lang)
		for _, key := range sortedKeys(english) {
			got, ok := texts[key]
			switch {
			case !ok || strings.TrimSpace(got) == "":
				t.Errorf("%s: %s is missing", lang, key)
			case got == english[key] && len(got) > 3:
				t.Errorf("%s: %s is left in English: %q", lang, key, got)
			case len(verbs.FindAllString(got, -1)) != len(verbs.FindAllString(english[key], -1)):
				t.Errorf("%s: %s names %q, English %q", lang, key, verbs.FindAllString(got, -1), verbs.FindAllString(english[key], -1))
			}
		}
	}
}
