package snippet

import (
	"context"
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
			if f := focused(t, ctx); f != "b" {
				t.Errorf("focus on %q after closing, want the notify button", f)
			}
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
