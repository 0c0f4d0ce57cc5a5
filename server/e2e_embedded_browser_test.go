package main

import (
	"context"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/golang-jwt/jwt/v5"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// TestEmbeddedFlowPreviewAsksForAFreshToken: inside the Shopify admin a
// preview frame cannot ask App Bridge for a session token, and the token
// the page was opened with lasts a minute; so each time the flow page
// refreshes a preview as the merchant types, its script asks App Bridge
// for a fresh token and the frame loads with it.
func TestEmbeddedFlowPreviewAsksForAFreshToken(t *testing.T) {
	m, fake := shopifyServer(t, filepath.Join(t.TempDir(), "db.sqlite"))
	installShop(t, m, fake)
	fresh := sessionToken(t, fake, e2eShop, func(c jwt.MapClaims) { c["jti"] = "fresh" })
	ctx := browsertest.New(t)
	// App Bridge, which the test cannot load from Shopify's CDN, is played
	// by a stub that hands out the fresh token.
	browsertest.Do(t, ctx, chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := cdp.Call(ctx, target, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
			Source: `window.shopify = {idToken: () => Promise.resolve("` + fresh + `")};`})
		return err
	}))
	browse(t, ctx, m.URL()+"/admin/flow?"+embeddedQuery(e2eShop, sessionToken(t, fake, e2eShop, nil)), `iframe[data-step="1"]`)
	const frame = `document.querySelector('iframe[data-step="1"]')`
	browsertest.Eval[bool](t, ctx, `(document.querySelector("#s1_body").focus(), true)`)
	browsertest.Do(t, ctx, chromedp.KeyEvent("Typed inside Shopify."))
	waitForServer(t, ctx, frame+`.src.includes("Typed")`)
	src, err := url.Parse(browsertest.Eval[string](t, ctx, frame+`.src`))
	if err != nil {
		t.Fatal(err)
	}
	if got := src.Query().Get("id_token"); got != fresh {
		t.Errorf("the preview frame loads with the token the page was opened with, not a fresh one from App Bridge")
	}
	if rendered := browsertest.Eval[string](t, ctx, `fetch(`+frame+`.src).then((r) => r.text())`); !strings.Contains(rendered, "Typed inside Shopify.") {
		t.Errorf("the preview with the fresh token does not show the typed text:\n%.2000s", rendered)
	}
}

// TestEmbeddedFlowAddKeepsTestAddressAndPreviewLanguage: inside the Shopify
// admin the page's script posts the flow form itself, with a fresh session
// token and the button pressed; adding a message there keeps the test
// address and the preview language as the merchant chose them.
func TestEmbeddedFlowAddKeepsTestAddressAndPreviewLanguage(t *testing.T) {
	m, fake := shopifyServer(t, filepath.Join(t.TempDir(), "db.sqlite"))
	installShop(t, m, fake)
	fresh := sessionToken(t, fake, e2eShop, func(c jwt.MapClaims) { c["jti"] = "fresh" })
	ctx := browsertest.New(t)
	browsertest.Do(t, ctx, chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := cdp.Call(ctx, target, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
			Source: `window.shopify = {idToken: () => Promise.resolve("` + fresh + `")};`})
		return err
	}))
	browse(t, ctx, m.URL()+"/admin/flow?"+embeddedQuery(e2eShop, sessionToken(t, fake, e2eShop, nil)), `iframe[data-step="1"]`)
	retypeField(t, ctx, "test_to", "tests@example.com")
	choosePreviewLanguage(t, ctx, 1, "fr")
	clickAndWait(t, ctx, `#flow-form button[value=add]`, "#s2_body")
	wantFields(t, ctx, "inside Shopify, after adding a message", map[string]string{"test_to": "tests@example.com", "s1_preview": "fr"})
	wantPreviewIn(t, ctx, 1, "fr", "est de nouveau en stock")
}
