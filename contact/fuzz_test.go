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
