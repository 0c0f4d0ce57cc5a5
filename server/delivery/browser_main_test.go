package delivery_test

import (
	"testing"

	"github.com/stockbell/stockbell/snippet/browsertest"
)

// The unsubscribe page's tests in Chromium share one browser, each test in
// a browser context of its own.
func TestMain(m *testing.M) { browsertest.Main(m) }
