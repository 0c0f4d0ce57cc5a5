package contact

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
)

func TestNormalizeEmail(t *testing.T) {
	good := map[string]string{
		"  Jane.Doe@Example.COM ":   "jane.doe@example.com",
		"jane+bell@example.com":     "jane+bell@example.com",
		"anna@bücher.example":       "anna@xn--bcher-kva.example",
		"Anna@BÜCHER.example.":      "anna@xn--bcher-kva.example",
		"o'brien@sub.example.co.uk": "o'brien@sub.example.co.uk",
	}
	for in, want := range good {
		got, err := NormalizeEmail(in)
		if err != nil || got != want {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "jane", "@example.com", "jane@", "jane@localhost", "a b@example.com", "Jane <jane@example.com>", "a@b@example.com,", "x@exa mple.com"} {
		if _, err := NormalizeEmail(bad); stockbell.ErrorCode(err) != stockbell.EINVALID || stockbell.ErrorField(err) != "email" {
			t.Errorf("NormalizeEmail(%q) err = %v, want EINVALID on field email", bad, err)
		}
	}
}

func TestNormalizePhone(t *testing.T) {
	good := []struct{ raw, country, want string }{
		{"+1 (415) 555-2671", "", "+14155552671"},
		{"415 555 2671", "us", "+14155552671"},
		{"06 12 34 56 78", "FR", "+33612345678"},
		{"+44 7911 123456", "FR", "+447911123456"},
		{"0049 1512 3456789", "DE", "+4915123456789"},
	}
	for _, c := range good {
		got, err := NormalizePhone(c.raw, c.country)
		if err != nil || got != c.want {
			t.Errorf("NormalizePhone(%q, %q) = %q, %v; want %q", c.raw, c.country, got, err, c.want)
		}
	}
	for _, bad := range [][2]string{{"12", ""}, {"415 555 2671", ""}, {"+1 000", ""}, {"hello", "US"}, {"+999 123456", ""}} {
		if _, err := NormalizePhone(bad[0], bad[1]); stockbell.ErrorField(err) != "phone" {
			t.Errorf("NormalizePhone(%q, %q) err = %v, want EINVALID on field phone", bad[0], bad[1], err)
		}
	}
}

func TestCanonicalFindsWhatTheStorefrontStored(t *testing.T) {
	got := Canonical(stockbell.Contact{ShopID: 7, Email: " Anna@BÜCHER.example ", Phone: "+33 6 12 34 56 78"})
	if got.ShopID != 7 || got.Email != "anna@xn--bcher-kva.example" || got.Phone != "+33612345678" {
		t.Errorf("Canonical = %+v", got)
	}
	if got := Canonical(stockbell.Contact{Email: " Not An Address ", Phone: " 06 12 "}); got.Email != "not an address" || got.Phone != "06 12" {
		t.Errorf("Canonical of contacts that do not normalise = %+v, want them trimmed", got)
	}
}
