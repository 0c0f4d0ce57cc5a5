package contact

import (
	"strings"
	"testing"

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
// normalises to itself without a country.
func FuzzNormalizePhone(f *testing.F) {
	for _, c := range [][2]string{{"+1 555 123 4567", ""}, {"030 901820", "de"}, {"06 12 34 56 78", "FR"}, {"+44 7700 900123", ""}, {"12", "ZZ"}, {"", ""}} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, raw, country string) {
		got, err := NormalizePhone(raw, country)
		if err != nil {
			if stockbell.ErrorField(err) != "phone" {
				t.Fatalf("error %v does not name phone", err)
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
// spelling (ignoring case), and no longer once ReplaceMentions replaced
// its mentions; a normalised address or number is named by
// itself and within angle brackets, and not when a letter or digit
// extends it at either end.
func FuzzMentions(f *testing.F) {
	for _, c := range [][2]string{{"To: <Ann@Example.com>.", "ann@example.com"}, {"joann@example.com", "ann@example.com"},
		{"+4930123456789", "+493012345678"}, {"call +1 555", "+1555"}, {"", "a@b.co"}, {"İ@x.de", "i̇@x.de"}} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, text, value string) {
		if Mentions(text, value) && !strings.Contains(strings.ToLower(text), strings.ToLower(value)) {
			t.Fatalf("%q is said to name %q, which it does not hold", text, value)
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
		}
	})
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
