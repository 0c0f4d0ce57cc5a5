package snippet

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// beforeScripts runs js in every document the tab opens from now on,
// before the page's own scripts.
func beforeScripts(t testing.TB, ctx context.Context, js string) {
	t.Helper()
	do(t, ctx, chromedp.Func(func(ctx context.Context, tgt *chromedp.Target) error {
		_, err := cdp.Call(ctx, tgt, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: js})
		return err
	}))
}

// neverIdle makes the page look busy forever (requestIdleCallback never
// calls back), so only the shopper's action can load the form.
func neverIdle(t testing.TB, ctx context.Context) {
	t.Helper()
	beforeScripts(t, ctx, `window.requestIdleCallback = () => 0;`)
}

func TestClickBeforeTheFormHasLoadedIsNotLost(t *testing.T) {
	ctx := newBrowser(t) // each case has its own shop and app origins, so nothing is cached across them
	neverIdle(t, ctx)
	for _, how := range []string{"mouse", "keyboard"} {
		t.Run(how, func(t *testing.T) {
			s := newStorefront(t, "")
			release := s.holdLazyFiles(t)
			open(t, ctx, s.shop.URL+"/products/tee?variant="+soldOut)
			waitFor(t, ctx, `shown(button())`)
			if got := s.lazyFiles(); len(got) != 0 {
				t.Fatalf("lazy files %q requested before any interaction on a busy page", got)
			}

			if how == "mouse" {
				click(t, ctx, `button()`)
			} else {
				tabTo(t, ctx, "b")
				do(t, ctx, chromedp.KeyEvent(kb.Enter))
			}
			got := s.waitLazyFiles(t, 2)
			if eval[bool](t, ctx, `!!dialog()`) {
				t.Fatal("a dialog before its file arrived")
			}
			// An impatient second press while the files are on their way.
			if how == "mouse" {
				click(t, ctx, `button()`)
			} else {
				do(t, ctx, chromedp.KeyEvent(kb.Enter))
			}
			release()
			waitFor(t, ctx, `dialog() && dialog().open`)
			if f := focused(t, ctx); f != "email" {
				t.Errorf("focus on %q once the form opened, want the email field", f)
			}
			slices.Sort(got)
			if !slices.Equal(got, []string{"en", "form"}) || len(s.lazyFiles()) != 2 {
				t.Errorf("lazy files %q, want the form and English once each", s.lazyFiles())
			}
			if n := eval[int](t, ctx, `document.querySelectorAll("stockbell-dialog").length`); n != 1 {
				t.Errorf("%d dialogs", n)
			}
			do(t, ctx, chromedp.KeyEvent("late@example.com\r"))
			waitFor(t, ctx, `events("subscribed").length == 1`)
			do(t, ctx, chromedp.KeyEvent(kb.Escape))
			waitFor(t, ctx, `!dialog().open`)
			waitForFocus(t, ctx, "b") // the notify button
		})
	}
}

func TestIdleBrowserLoadsTheFormAndThePageLanguageOnly(t *testing.T) {
	cases := []struct {
		name, attrs, path string
		want              []string
	}{
		{"shopify email", "", "/products/tee?variant=" + soldOut, []string{"en", "form"}},
		{"french sms", customAttrs, "/pages/custom", []string{"form", "fr", "phone"}},
		{"german override", `data-locale="de-AT"`, "/pages/custom", []string{"de", "form"}},
	}
	ctx := newBrowser(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newStorefront(t, c.attrs)
			open(t, ctx, s.shop.URL+c.path)
			waitFor(t, ctx, `shown(button())`)
			got := s.waitLazyFiles(t, len(c.want))
			slices.Sort(got)
			if !slices.Equal(got, c.want) {
				t.Errorf("lazy files %q, want %q", got, c.want)
			}
			// Loaded already: the form opens without another request.
			click(t, ctx, `button()`)
			waitFor(t, ctx, `dialog() && dialog().open`)
			if n := len(s.lazyFiles()); n != len(c.want) {
				t.Errorf("%d lazy requests after opening, want %d", n, len(c.want))
			}
		})
	}
}

func TestFailedLoadIsReportedAndTheNextClickTriesAgain(t *testing.T) {
	s := newStorefront(t, "")
	ctx := newBrowser(t)
	neverIdle(t, ctx)
	s.failLazyFiles(true)
	open(t, ctx, s.shop.URL+"/products/tee?variant="+soldOut)
	click(t, ctx, `button()`)
	waitFor(t, ctx, `events("error").length == 1`)
	if got := eval[string](t, ctx, `JSON.stringify(events("error")[0].detail)`); got != `{"variantId":"`+soldOut+`","status":0,"code":"network","message":""}` {
		t.Errorf("stockbell:error detail %s", got)
	}
	s.failLazyFiles(false)
	click(t, ctx, `button()`)
	waitFor(t, ctx, `dialog() && dialog().open`)
}

// A shopper whose press could not load the form is told so beside the
// button, in the page's language and through a live region, and that
// pressing again retries; the words go once a retry opens the form.
func TestFailedLoadTellsTheShopperToPressAgain(t *testing.T) {
	cases := []struct{ name, path, want, lang string }{
		{"english", "/products/tee?variant=" + soldOut, "Could not load. Press again to retry.", "en"},
		{"french", "/pages/custom", "Échec du chargement. Appuyez pour réessayer.", "fr"},
	}
	ctx := newBrowser(t)
	neverIdle(t, ctx)
	const notice = `button().getRootNode().querySelector("[role=status]")`
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newStorefront(t, "")
			s.failLazyFiles(true)
			open(t, ctx, s.shop.URL+c.path)
			waitFor(t, ctx, `shown(button())`)
			if got := eval[string](t, ctx, `(`+notice+` || {}).textContent || ""`); got != "" {
				t.Errorf("notice %q before any press", got)
			}
			click(t, ctx, `button()`)
			waitFor(t, ctx, `events("error").length == 1`)
			waitFor(t, ctx, `!!`+notice+` && `+notice+`.textContent != ""`)
			got := eval[string](t, ctx, `[`+notice+`.textContent, shown(`+notice+`), `+notice+`.matches(":lang(`+c.lang+`)")].join("|")`)
			if got != c.want+"|true|true" {
				t.Errorf("notice (text|shown|in %s) %q, want %q", c.lang, got, c.want+"|true|true")
			}

			// Pressing again (here from the keyboard) while the files still fail keeps the notice.
			tabTo(t, ctx, "b")
			do(t, ctx, chromedp.KeyEvent(kb.Enter))
			waitFor(t, ctx, `events("error").length == 2`)
			if got := eval[string](t, ctx, notice+`.textContent`); got != c.want {
				t.Errorf("notice after a second failure %q", got)
			}

			s.failLazyFiles(false)
			do(t, ctx, chromedp.KeyEvent(kb.Enter))
			waitFor(t, ctx, `dialog() && dialog().open`)
			if got := eval[string](t, ctx, notice+`.textContent`); got != "" {
				t.Errorf("notice %q once the form opened", got)
			}
		})
	}
}

// A store whose Content-Security-Policy allows the snippet's script but
// not the files it loads later: the shopper's press is answered with the
// notice, not silence.
func TestFormBlockedByTheStoresPolicyTellsTheShopper(t *testing.T) {
	s := newStorefront(t, "")
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src data:; connect-src "+s.app.URL+
			"; script-src 'self' 'unsafe-inline' "+s.app.URL+"/snippet.js")
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><link rel="icon" href="data:,"><script>window.stockbellEvents = [];
for (const name of ["ready", "error"]) document.addEventListener("stockbell:" + name, (e) => stockbellEvents.push({name, detail: e.detail}))</script>
<script src="%s/snippet.js" data-shop="shop-key-123" defer></script></head>
<body><div data-stockbell-variant="A" data-stockbell-available="false"></div></body></html>`, s.app.URL)
	}))
	t.Cleanup(shop.Close)
	ctx := newBrowser(t)
	open(t, ctx, shop.URL)
	click(t, ctx, `button()`)
	waitFor(t, ctx, `events("error").length == 1`)
	if got := eval[string](t, ctx, `button().getRootNode().querySelector("[role=status]").textContent`); got != "Could not load. Press again to retry." {
		t.Errorf("notice %q", got)
	}
}
