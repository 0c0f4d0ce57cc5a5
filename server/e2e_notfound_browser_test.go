package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// TestAdminNotFoundPagesSpeakToTheMerchantInChromium: a merchant who
// follows a stale or mistyped admin link gets an admin page saying, in
// words meant for them, what is missing and where to look instead; never
// the store's own wording or a JSON error.
func TestAdminNotFoundPagesSpeakToTheMerchantInChromium(t *testing.T) {
	m, ctx, _, _ := openDemoFlowPage(t)
	for path, want := range map[string]struct{ says, link string }{
		"/admin/subscribers/99999":   {"No subscriber of this shop has that number", "/admin/subscribers"},
		"/admin/outbox/99999":        {"No message in the outbox has that number", "/admin/outbox"},
		"/admin/no-such-page":        {"There is no such page in the admin", "/admin"},
		"/admin/flow/preview?step=9": {"The flow has no message of that number", "/admin/flow"},
	} {
		browse(t, ctx, m.URL()+path, "main h1")
		says := text(t, ctx, "main")
		if !strings.Contains(says, want.says) || strings.Contains(says, "99999 not found") || strings.Contains(says, "No route") || strings.Contains(says, "No such") {
			t.Errorf("%s says:\n%s\nwant %q", path, says, want.says)
		}
		if got := text(t, ctx, "main h1"); got != "Page not found" {
			t.Errorf("%s is titled %q", path, got)
		}
		if !hasLink(t, ctx, "main", want.link) {
			t.Errorf("%s does not link to %s", path, want.link)
		}
	}
}

// hasLink reports whether an element inside container links to path.
func hasLink(t *testing.T, ctx context.Context, container, path string) bool {
	t.Helper()
	return browsertest.Eval[bool](t, ctx, fmt.Sprintf(`[...document.querySelectorAll(%q)].some((a) => new URL(a.href).pathname === %q)`, container+" a", path))
}

// TestMangledShopperLinksAnswerAPageInChromium: a shopper whose email
// client cut a link short (an unsubscribe or confirmation link without its
// token, a path with a stray character) gets a page, still 404, in the
// language the browser asks for; never a JSON error.
func TestMangledShopperLinksAnswerAPageInChromium(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	ctx := browsertest.New(t)
	for _, path := range []string{"/unsubscribe/", "/confirm", "/demo/x/y"} {
		browse(t, ctx, m.URL()+path, "main h1")
		if got := text(t, ctx, "main h1"); got != "Page not found" || strings.Contains(text(t, ctx, "body"), `"error"`) {
			t.Errorf("%s in Chromium: %q\n%s", path, got, text(t, ctx, "body"))
		}
	}
	if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": "fr-FR,fr;q=0.9"}}); err != nil {
		t.Fatal(err)
	}
	browse(t, ctx, m.URL()+"/unsubscribe/", "main h1")
	if got, lang := text(t, ctx, "main h1"), browsertest.Eval[string](t, ctx, "document.documentElement.lang"); got != "Page introuvable" || lang != "fr" {
		t.Errorf("in French: %q, lang %q", got, lang)
	}
}
