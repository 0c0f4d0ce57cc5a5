package stockbell_test

import (
	"errors"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
)

// TestGuardSweep: only a listing of nothing that would sweep something
// is refused; any product listed lets the sweep run, however much it
// marks.
func TestGuardSweep(t *testing.T) {
	for _, c := range []struct {
		listed, vanishing int
		refused           bool
	}{{0, 0, false}, {0, 1, true}, {0, 5000, true}, {1, 5000, false}, {10, 0, false}} {
		if err := stockbell.GuardSweep(c.listed, c.vanishing); errors.Is(err, stockbell.ErrListedNothing) != c.refused {
			t.Errorf("GuardSweep(%d listed, %d vanishing) = %v, want refused %v", c.listed, c.vanishing, err, c.refused)
		}
	}
}

// TestSweepFailureWords: every platform's sweep failure reads the same
// but for the platform's name, and names it.
func TestSweepFailureWords(t *testing.T) {
	for _, err := range []error{stockbell.ErrListedNothing, errors.New("disk full")} {
		want := stockbell.SweepFailure(stockbell.PlatformShopify, err)
		for _, p := range []stockbell.Platform{stockbell.PlatformBigCommerce, stockbell.PlatformMagento, stockbell.PlatformPrestaShop} {
			got := stockbell.SweepFailure(p, err)
			if !strings.Contains(got, p.Name()) || strings.ReplaceAll(got, p.Name(), "Shopify") != want {
				t.Errorf("%s's failure %q, want %q in its name", p, got, want)
			}
		}
		if strings.Contains(want, "disk full") {
			t.Errorf("a sweep failure shows the merchant an internal error's text: %q", want)
		}
	}
}
