package contact

import (
	"fmt"
	"slices"
	"strings"

	"github.com/nyaruka/phonenumbers"
	"regexp"
	"testing"
	"unicode/utf16"

	stockbell "github.com/stockbell/stockbell"
)

// FuzzNormalizeEmail: never panics; what it returns is lower-case, has one
// @ and normalises to itself.
func FuzzNormalizeEmail(f *testing.F) {
	for _, s := range []string{"Jane@Example.com", " jörg@bücher.de ", "a@b", "a@@b.c", "\"a b\"@c.d", "x@xn--bcher-kva.de", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := NormalizeEmail(raw)
		if err != nil {
			if stockbell.ErrorField(err) != "email" {
				t.Fatalf("error %v does not name email", err)
			}
			return
		}
		if got != strings.ToLower(got) || strings.Count(got, "@") != 1 {
			t.Fatalf("%q normalised to %q", raw, got)
		}
		if again, err := NormalizeEmail(got); err != nil || again != got {
			t.Fatalf("%q normalises to %q, then to %q (%v)", raw, got, again, err)
		}
	})
}

// FuzzNormalizePhone: never panics; what it returns is E.164 and
// normalises to itself without a country; an error names the phone, or
// the country given with a national number.
func FuzzNormalizePhone(f *testing.F) {
	for _, c := range [][2]string{{"+1 555 123 4567", ""}, {"030 901820", "de"}, {"06 12 34 56 78", "FR"}, {"+44 7700 900123", ""}, {"12", "ZZ"}, {"", ""}} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, raw, country string) {
		got, err := NormalizePhone(raw, country)
		if err != nil {
			if field := stockbell.ErrorField(err); field != "phone" && (field != "phone_country" || country == "") {
				t.Fatalf("error %v names neither phone nor the country given", err)
			}
			return
		}
		if !strings.HasPrefix(got, "+") || len(got) > 16 {
			t.Fatalf("%q (%s) normalised to %q", raw, country, got)
		}
		if again, err := NormalizePhone(got, ""); err != nil || again != got {
			t.Fatalf("%q normalises to %q, then to %q (%v)", raw, got, again, err)
		}
	})
}

// FuzzMentions: a text names a contact only where it holds the contact's
// spelling (ignoring case; a number's digits may be grouped by
// separators), and no longer once ReplaceMentions replaced its mentions;
// a normalised address or number is named by itself and within angle
// brackets, a number also as the numbering plan writes it
// internationally, and neither is named when a letter or digit extends
// it at either end.
func FuzzMentions(f *testing.F) {
	for _, c := range [][2]string{{"To: <Ann@Example.com>.", "ann@example.com"}, {"joann@example.com", "ann@example.com"},
		{"+4930123456789", "+493012345678"}, {"call +1 555", "+1555"}, {"", "a@b.co"}, {"İ@x.de", "i̇@x.de"},
		{"+1 (415) 555-0100.", "+14155550100"}, {"+33 6 12 34 56 78 9", "+33612345678"},
		{"0044 (0)20 7946 0958", "+442079460958"}, {"10033 6 12 34 56 78", "+33612345678"},
		{`{\"to\":\"\u003cB\u00dcCHER@example.com\u003e\"}`, "bücher@example.com"}, {`x\u0040y.de`, "x@y.de"}} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, text, value string) {
		if Mentions(text, value) && !holds(text, value) {
			t.Fatalf("%q is said to name %q, which it does not hold", text, value)
		}
		if Mentions(text, value) && !candidate(text, value) {
			t.Fatalf("%q is said to name %q, which a database's search would not find", text, value)
		}
		if out, _ := ReplaceMentions(text, value, "[erased]"); Mentions(out, value) && !strings.Contains("[erased]", strings.ToLower(value)) {
			t.Fatalf("%q still names %q once its mentions are replaced: %q", text, value, out)
		}
		for _, v := range normalised(value) {
			if !Mentions(v, v) || !Mentions("<"+v+">", v) {
				t.Fatalf("%q does not name itself", v)
			}
			if Mentions("9"+v+"9", v) || (!strings.HasPrefix(v, "+") && (Mentions("x"+v, v) || Mentions(v+"x", v))) {
				t.Fatalf("%q is named inside a longer address or number", v)
			}
			if isNumber(v) {
				checkPunctuated(t, v)
			} else {
				checkEscaped(t, v)
			}
		}
	})
}

// checkPunctuated checks that a number in E.164 is named as the numbering
// plan writes it internationally ("+1 415-555-0100", "tel:+1-415-555-0100"),
// also with 00 for + and with the trunk prefix (0) after the country
// code, and not when a digit follows, even after a space.
func checkPunctuated(t *testing.T, e164 string) {
	num, err := phonenumbers.Parse(e164, "")
	if err != nil {
		t.Fatal(err)
	}
	international := phonenumbers.Format(num, phonenumbers.INTERNATIONAL)
	spellings := []string{international, phonenumbers.Format(num, phonenumbers.RFC3966), "00" + international[1:]}
	if national := phonenumbers.GetNationalSignificantNumber(num); !strings.HasPrefix(national, "0") {
		spellings = append(spellings, fmt.Sprintf("+%d (0)%s", num.GetCountryCode(), national))
	}
	for _, spelled := range spellings {
		if !Mentions(spelled, e164) || !Mentions(`{"phone":"`+spelled+`"}`, e164) {
			t.Fatalf("%q does not name %q", spelled, e164)
		}
		longer := []string{spelled + "9", spelled + " 9"}
		if strings.HasPrefix(spelled, "00") {
			longer = append(longer, "9"+spelled, "+"+spelled, "009"+spelled[2:])
		} else {
			longer = append(longer, strings.Replace(spelled, "+", "+9", 1), strings.Replace(spelled, "+", "9+", 1))
		}
		if slices.ContainsFunc(longer, func(s string) bool { return Mentions(s, e164) }) {
			t.Fatalf("%q is named inside a longer number: %q", e164, spelled)
		}
	}
}

// checkEscaped checks that an address is named as JSON quoted in text
// spells it (its characters beyond ASCII escaped, the characters around it
// escaped, its quotes escaped once more), and not when a letter extends
// it, escaped too.
func checkEscaped(t *testing.T, address string) {
	escaped := jsonEscaped(address)
	for _, spelled := range []string{`\u003c` + address + `\u003e`, `\n` + address, `{\"to\":\"` + escaped + `\"}`,
		`"` + strings.ReplaceAll(strings.ToUpper(escaped), `\U`, `\u`) + `"`, `\u003c` + escaped + `\u003e`} {
		if !Mentions(spelled, address) {
			t.Fatalf("%q does not name %q", spelled, address)
		}
		if out, _ := ReplaceMentions(spelled, address, "[erased]"); Mentions(out, address) {
			t.Fatalf("%q still names %q once replaced: %q", spelled, address, out)
		}
	}
	for _, longer := range []string{`\u003cx` + escaped, escaped + `\u0078`, `\u0078` + escaped} {
		if Mentions(longer, address) {
			t.Fatalf("%q is named inside a longer address: %q", address, longer)
		}
	}
}

// jsonEscaped is s as PHP's json_encode writes it by default: every
// character beyond ASCII as \uXXXX (lower-case hex; two for a character
// beyond the Basic Multilingual Plane).
func jsonEscaped(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&b, `\u%04x\u%04x`, r1, r2)
		case r > 0x7f:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// candidate reports whether a database's search finds text for the
// number value (PhoneSearches): it must find every text that names it.
// Escapes are not its to read (any text with a backslash is a candidate
// of the address searches too).
func candidate(text, value string) bool {
	if !isNumber(value) || strings.Contains(text, `\`) {
		return true
	}
	return slices.ContainsFunc(PhoneSearches(value), func(s PhoneSearch) bool {
		return strings.Contains(text, s.Prefix) && regexp.MustCompile(s.Pattern).MatchString(text)
	})
}

// holds reports whether text holds value as Mentions may read it: the
// same characters ignoring case, a number's digits with separators
// between them, after + or 00, a trunk prefix (0) among them; any text
// with a backslash may, its escapes decoded.
func holds(text, value string) bool {
	if strings.Contains(text, `\`) {
		return true
	}
	text, value = strings.ToLower(text), strings.ToLower(value)
	if strings.HasPrefix(value, "+") {
		strip := func(s string) string {
			return strings.Map(func(r rune) rune {
				if strings.ContainsRune(phoneSeparators, r) {
					return -1
				}
				return r
			}, s)
		}
		text, value = strip(strings.ReplaceAll(text, "(0)", "")), strip(value)
		return strings.Contains(text, value) || strings.Contains(text, "00"+value[1:])
	}
	return strings.Contains(text, value)
}

// normalised returns raw as an email address and as a phone number, for
// each it normalises to.
func normalised(raw string) []string {
	var out []string
	if email, err := NormalizeEmail(raw); err == nil {
		out = append(out, email)
	}
	if phone, err := NormalizePhone(raw, ""); err == nil {
		out = append(out, phone)
	}
	return out
}
