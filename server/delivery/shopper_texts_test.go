package delivery

import (
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// messageTexts lists every default text of the messages a shopper gets in
// lang (the alert's phrases and the confirmation request's words), each
// named by its field.
func messageTexts(lang string) map[string]string {
	out := map[string]string{}
	for prefix, v := range map[string]reflect.Value{"alert.": reflect.ValueOf(locales[lang]), "confirm.": reflect.ValueOf(confirmLocales[lang])} {
		for i := range v.NumField() {
			out[prefix+v.Type().Field(i).Name] = v.Field(i).String()
		}
	}
	return out
}

func sortedFields(texts map[string]string) []string {
	keys := make([]string, 0, len(texts))
	for k := range texts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// TestEveryMessageLanguageIsComplete: each language the messages speak
// has every text English has, none empty, each naming the same things
// (the template fields and the formatted names) as English's.
func TestEveryMessageLanguageIsComplete(t *testing.T) {
	names := regexp.MustCompile(`\{\{[^}]*\}\}|%(\[\d\])?s`)
	english := messageTexts("en")
	for lang := range locales {
		if _, ok := confirmLocales[lang]; !ok {
			t.Errorf("%s: no confirmation request", lang)
		}
		texts := messageTexts(lang)
		for _, key := range sortedFields(english) {
			got := texts[key]
			if strings.TrimSpace(got) == "" {
				t.Errorf("%s: %s is empty", lang, key)
			}
			if g, e := names.FindAllString(got, -1), names.FindAllString(english[key], -1); !reflect.DeepEqual(sorted(g), sorted(e)) {
				t.Errorf("%s: %s names %q, English %q", lang, key, g, e)
			}
		}
	}
}

func sorted(s []string) []string {
	s = append([]string(nil), s...)
	sort.Strings(s)
	return s
}

// frenchGenderedWords are past participles that, said of the shopper
// ("d'être prévenu"), take a gender the message cannot know.
var frenchGenderedWords = regexp.MustCompile(`(?i)(^|\P{L})(prévenue?s?|avertie?s?|inscrite?s?|désinscrite?s?|contactée?s?|abonnée?s?|désabonnée?s?|informée?s?)(\P{L}|$)`)

// frenchElidedBeforeName is a word French elides before a vowel written
// whole before a name the message fills in ("que Atelier Nord", where
// French writes "qu'Atelier Nord").
var frenchElidedBeforeName = regexp.MustCompile(`(?i)(^|\P{L})(que|de|le|la|ne|se|je|me|te|lorsque|puisque) (%(\[\d\])?s|\{\{)`)

// itemPronouns are the pronouns that stand for the item in a language
// whose nouns have a gender: the item's own gender is unknown ("il est de
// retour" is wrong for "la chemise", "Er ist wieder da" for "das Hemd").
var itemPronouns = map[string]*regexp.Regexp{
	"fr": regexp.MustCompile(`(^|\P{L})(il|elle|ils|elles)(\P{L}|$)`),
	"de": regexp.MustCompile(`(^|\P{L})(Er|er)(\P{L}|$)`),
}

// TestMessagesNeedNoGenderTheyCannotKnow: the French and German default
// messages never give the shopper a gender (French participles such as
// prévenu), never stand for the item with a gendered pronoun, and never
// put a French elided word (que, de…) before a shop's or an item's name.
func TestMessagesNeedNoGenderTheyCannotKnow(t *testing.T) {
	for lang, pronoun := range itemPronouns {
		texts := messageTexts(lang)
		for _, key := range sortedFields(texts) {
			text := texts[key]
			if bad := pronoun.FindAllString(text, -1); bad != nil {
				t.Errorf("%s: %s stands for the item with %q: %q", lang, key, bad, text)
			}
			if lang != "fr" {
				continue
			}
			if bad := frenchGenderedWords.FindAllString(text, -1); bad != nil {
				t.Errorf("fr: %s gives the shopper a gender with %q: %q", key, bad, text)
			}
			if bad := frenchElidedBeforeName.FindAllString(text, -1); bad != nil {
				t.Errorf("fr: %s has %q, wrong before a name starting with a vowel: %q", key, bad, text)
			}
		}
	}
}
