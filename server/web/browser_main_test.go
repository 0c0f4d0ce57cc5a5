package web_test

import (
	"testing"

	"github.com/stockbell/stockbell/snippet/browsertest"
)

// The admin's and the confirmation pages' tests in Chromium share one
// browser, each test in a browser context of its own, rather than each
// starting a Chromium of its own.
func TestMain(m *testing.M) { browsertest.Main(m) }
