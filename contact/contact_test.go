package contact

import (
	"strings"
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

// TestEmailLengthLimits: an address has at most 254 characters, 64 before
// the @, as SMTP allows (RFC 5321 4.5.3.1); one over either is refused.
func TestEmailLengthLimits(t *testing.T) {
	local := strings.Repeat("a", 64)
	domain := strings.Repeat("b", 60) + "." + strings.Repeat("c", 60) + "." + strings.Repeat("d", 63) + ".com"
	longest := local + "@" + domain
	if got, err := NormalizeEmail(longest); len(longest) != 254 || err != nil || got != longest {
		t.Errorf("a %d-character address: %q, %v; want it kept", len(longest), got, err)
	}
	for _, over := range []string{local + "a@example.com", local + "@b" + domain} {
		if _, err := NormalizeEmail(over); stockbell.ErrorField(err) != "email" {
			t.Errorf("NormalizeEmail(%d characters, %d before @) err = %v, want EINVALID on field email", len(over), strings.Index(over, "@"), err)
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
		{"0044 20 7946 0958", "", "+442079460958"},
		{" 0049 (0)30 1234567", "", "+49301234567"},
		{"+49 (0)30 1234567", "", "+49301234567"},
	}
	for _, c := range good {
		got, err := NormalizePhone(c.raw, c.country)
		if err != nil || got != c.want {
			t.Errorf("NormalizePhone(%q, %q) = %q, %v; want %q", c.raw, c.country, got, err, c.want)
		}
	}
	for _, bad := range [][2]string{{"12", ""}, {"415 555 2671", ""}, {"+1 000", ""}, {"hello", "US"}, {"+999 123456", ""}, {"20100000000000", "DE"}, {"00", ""}, {"000 44 20 7946 0958", ""}} {
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

// TestNormalizeMobile: text messages go to mobile numbers only (and to
// North American numbers, which the numbering plan cannot tell apart);
// anything else is refused on the phone field, saying what it is.
func TestNormalizeMobile(t *testing.T) {
	mobiles := map[string]string{
		"+1 415 555 2671":   "+14155552671", // fixed line or mobile
		"+44 7911 123456":   "+447911123456",
		"+33 6 12 34 56 78": "+33612345678",
		"+49 1512 3456789":  "+4915123456789",
	}
	for raw, want := range mobiles {
		if got, err := NormalizeMobile(raw, ""); err != nil || got != want {
			t.Errorf("NormalizeMobile(%q) = %q, %v; want %q", raw, got, err, want)
		}
	}
	refused := map[string]string{
		"+44 909 876 5432":  "premium-rate",
		"+1 900 555 0123":   "premium-rate",
		"+33 8 99 12 34 56": "premium-rate",
		"+44 800 123 4567":  "toll-free",
		"+1 800 555 0199":   "toll-free",
		"+44 20 7946 0958":  "landline",
		"+33 1 42 68 53 00": "landline",
		"+49 30 123456":     "landline",
		"+44 56 1234 5678":  "VoIP",
		"+12":               "valid",
	}
	for raw, says := range refused {
		_, err := NormalizeMobile(raw, "")
		if stockbell.ErrorCode(err) != stockbell.EINVALID || stockbell.ErrorField(err) != "phone" || !strings.Contains(stockbell.ErrorMessage(err), says) {
			t.Errorf("NormalizeMobile(%q) err = %v, want EINVALID on phone saying %q", raw, err, says)
		}
	}
}

func TestUnicodeEmail(t *testing.T) {
	for in, want := range map[string]string{
		"anna@xn--bcher-kva.example": "anna@bücher.example",
		"ann@example.com":            "ann@example.com",
		"":                           "",
	} {
		if got := UnicodeEmail(in); got != want {
			t.Errorf("UnicodeEmail(%q) = %q, want %q", in, got, want)
		}
	}
}
