package report_test

import (
	"testing"

	"github.com/stockbell/stockbell/snippet/browsertest"
)

// The report emails' tests in Chromium share one browser, each test in a
// browser context of its own.
func TestMain(m *testing.M) { browsertest.Main(m) }
