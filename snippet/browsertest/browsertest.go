// Package browsertest starts a real headless Chromium for tests that look at
// what a shopper sees: the storefront snippet here, and end-to-end tests
// elsewhere. Without Chromium those tests skip; with CI=true they fail.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// Timeout bounds one test's use of the browser (New); a test that walks
// many pages asks for its own bound with NewWithin.
const Timeout = 90 * time.Second

// candidates are where Chromium is looked for, after $STOCKBELL_CHROMIUM.
var candidates = []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// Path returns the Chromium executable: $STOCKBELL_CHROMIUM, else the first
// of /usr/bin/chromium and the usual names on $PATH.
func Path() (string, bool) {
	if p := os.Getenv("STOCKBELL_CHROMIUM"); p != "" {
		return p, true
	}
	for _, name := range candidates {
		if p, err := exec.LookPath(name); err == nil {
			return p, true
		}
	}
	return "", false
}

// New starts a fresh headless Chromium (empty profile, no background
// networking) and returns a chromedp context for one tab in it. The browser
// is closed when the test ends; JavaScript errors and console output are
// written to the test log. The test is skipped when Chromium is missing,
// and fails instead when CI=true. In a package whose TestMain calls Main,
// the tab is instead in a browser context of its own (cookies, storage and
// cache of its own) in the package's one browser.
func New(t testing.TB) context.Context {
	t.Helper()
	return NewWithin(t, Timeout)
}

// NewWithin is New with the test's use of the browser bounded by budget
// rather than Timeout: the bound only stops a hung test, so a test's steps
// each wait on their own condition, and the budget is the sum of them.
func NewWithin(t testing.TB, budget time.Duration) context.Context {
	t.Helper()
	path, ok := Path()
	if !ok {
		if os.Getenv("CI") == "true" {
			t.Fatal("browsertest: Chromium not found (install the chromium package or set STOCKBELL_CHROMIUM)")
		}
		t.Skip("browsertest: Chromium not found; install the chromium package to run browser tests")
	}
	ctx := newTab(t, path)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void]("1")); err != nil {
		t.Fatalf("browsertest: start %s: %v", path, err)
	}
	go logConsole(t, ctx)
	limited, cancel := context.WithTimeout(ctx, budget)
	t.Cleanup(cancel)
	return limited
}

// newTab returns a tab, in the package's shared browser when Main runs
// the tests, else in a browser of the test's own; it is closed when the
// test ends.
func newTab(t testing.TB, path string) context.Context {
	t.Helper()
	if shared.enabled {
		browser, err := shared.start(path)
		if err != nil {
			t.Fatalf("browsertest: start %s: %v", path, err)
		}
		tab, cancelTab := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
		t.Cleanup(cancelTab)
		return tab
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), options(path, t.TempDir())...)
	tab, cancelTab := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})
	return tab
}

func options(path, profile string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(profile),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
		chromedp.Flag("lang", "en-US"),
	}
}

func logConsole(t testing.TB, ctx context.Context) {
	defer func() { _ = recover() }() // the test may have ended
	for m, err := range chromedp.Console(ctx) {
		if err != nil {
			return
		}
		if ctx.Err() == nil {
			t.Logf("browser console: %s", m)
		}
	}
}

// ArtifactDir returns the folder test artifacts (screenshots) are kept in:
// $STOCKBELL_TEST_ARTIFACTS, created if needed, else a temporary folder of
// the test.
func ArtifactDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("STOCKBELL_TEST_ARTIFACTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("browsertest: artifacts: %v", err)
	}
	return dir
}

// Screenshot saves the viewport as NAME.png under ArtifactDir, logs the
// path and returns it.
func Screenshot(t testing.TB, ctx context.Context, name string) string {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("browsertest: screenshot: %v", err)
	}
	file := filepath.Join(ArtifactDir(t), strings.ReplaceAll(name, "/", "_")+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Fatalf("browsertest: screenshot: %v", err)
	}
	t.Logf("screenshot: %s", file)
	return file
}

// AllowDownloads makes the files the test's tab downloads land in dir.
// The behaviour is set for the tab's own browser context: set for the
// browser as a whole it would not reach a context that Main made.
func AllowDownloads(t testing.TB, ctx context.Context, dir string) {
	t.Helper()
	params := browser.SetDownloadBehaviorParams{Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir}
	if c := chromedp.FromContext(ctx); c != nil {
		params.BrowserContextID = c.BrowserContextID
	}
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, params); err != nil {
		t.Fatalf("browsertest: allow downloads: %v", err)
	}
}
