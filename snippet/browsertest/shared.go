package browsertest

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// shared is the one browser of a package whose TestMain calls Main. It
// starts with the first test that asks for a tab, so a run without browser
// tests starts none.
var shared sharedBrowser

type sharedBrowser struct {
	enabled bool
	once    sync.Once
	browser context.Context
	err     error
	close   func()
}

// Main runs the package's tests with one Chromium shared by them, closed
// when they end, and exits with their result. Starting Chromium takes
// about a second on a small machine, far longer than a test's own tab and
// browser context, which keep the tests as apart as browsers of their own
// would. Call it from TestMain:
//
//	func TestMain(m *testing.M) { browsertest.Main(m) }
func Main(m *testing.M) {
	shared.enabled = true
	code := m.Run()
	if shared.close != nil {
		shared.close()
	}
	os.Exit(code)
}

// start starts the shared browser on its first call and returns it.
func (s *sharedBrowser) start(path string) (context.Context, error) {
	s.once.Do(func() {
		profile, err := os.MkdirTemp("", "stockbell-chromium-")
		if err != nil {
			s.err = err
			return
		}
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), options(path, profile)...)
		browser, cancelBrowser := chromedp.NewContext(alloc)
		s.browser, s.close = browser, func() {
			cancelBrowser()
			cancelAlloc()
			os.RemoveAll(profile)
		}
		_, s.err = chromedp.Run(browser, chromedp.Evaluate[chromedp.Void]("1"))
	})
	return s.browser, s.err
}
