package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// themeBlockNames are the names the theme editor shows for the blocks of
// Stockbell's theme app extension: each block's schema name, by file.
func themeBlockNames(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "extensions", "stockbell-embed", "blocks", "*.liquid"))
	noErr(t, err)
	names := map[string]string{}
	for _, file := range files {
		body, err := os.ReadFile(file)
		noErr(t, err)
		_, schema, _ := strings.Cut(string(body), "{% schema %}")
		schema, _, _ = strings.Cut(schema, "{% endschema %}")
		var block struct{ Name string }
		if err := json.Unmarshal([]byte(schema), &block); err != nil || block.Name == "" {
			t.Fatalf("%s: no schema name (%v)", file, err)
		}
		names[filepath.Base(file)] = block.Name
	}
	return names
}

// TestShopifyInstallPageNamesTheThemeEditorsBlocks: the merchant opens
// the Install page in the Shopify admin's frame. What it tells them to
// find in the theme editor is named as the theme editor names it: the
// app embed and the product page's block by their schema names; its
// theme editor link opens the theme editor in the whole window, not in
// the app's frame.
func TestShopifyInstallPageNamesTheThemeEditorsBlocks(t *testing.T) {
	m, fake := shopifyServer(t, filepath.Join(t.TempDir(), "db.sqlite"))
	installShop(t, m, fake)
	frame := inShopifyAdmin(t, browsertest.New(t), m, fake, shopifyAppLink(fake, "/admin/install"))
	waitForServer(t, frame, `document.querySelector("#button-heading") !== null`)
	button := text(t, frame, `section[aria-labelledby=button-heading]`)
	for file, name := range themeBlockNames(t) {
		if !strings.Contains(button, name) {
			t.Errorf("the Install page does not name %s's block as the theme editor does (%q):\n%s", file, name, button)
		}
	}
	if target := browsertest.Eval[string](t, frame, `document.querySelector('a[href*="/admin/themes/current/editor"]').target`); target != "_top" {
		t.Errorf("the theme editor link opens in %q", target)
	}
}

// TestShopifyPageCheckSaysTheStoreIsPasswordProtected: a Shopify store
// whose storefront is password protected (a new store's, until it picks a
// plan) sends every page to /password. The page check, asked about a
// product page from the Shopify admin's frame, says so, rather than that
// the script and the variants are missing from a page it never saw.
func TestShopifyPageCheckSaysTheStoreIsPasswordProtected(t *testing.T) {
	m, fake := shopifyServerWith(t, filepath.Join(t.TempDir(), "db.sqlite"), map[string]string{"STOCKBELL_ENV": "development"})
	installShop(t, m, fake)
	var open atomic.Bool
	store := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if open.Load() {
			w.Write([]byte(`<!doctype html><html><body><form action="/cart/add"><input name="id" value="1"></form></body></html>`))
			return
		}
		if r.URL.Path != "/password" {
			http.Redirect(w, r, "/password", http.StatusFound)
			return
		}
		w.Write([]byte(`<!doctype html><html><head><script>window.Shopify = {shop: "` + e2eShop + `"};</script></head>
			<body><form method="post" action="/password"><input type="password" name="password"><button>Enter</button></form></body></html>`))
	}))
	t.Cleanup(store.Close)

	frame := inShopifyAdmin(t, browsertest.New(t), m, fake, shopifyAppLink(fake, "/admin/install"))
	waitForServer(t, frame, `document.querySelector("#url") !== null`)
	browsertest.Do(t, frame, chromedp.SetValue("#url", store.URL+"/products/example-t-shirt"))
	clickAndWait(t, frame, `input[name=action][value=check] ~ .actions button`, `#url-error, #report-heading`)
	got := text(t, frame, `section[aria-labelledby=check-heading]`)
	if !strings.Contains(got, "password protected") || strings.Contains(got, "script was not found") {
		t.Errorf("the check of a password-protected store's product page says:\n%s", got)
	}

	// Once the store is open, a page without the script is sent to the
	// app embed and the tag, which the Install page shows above the check.
	open.Store(true)
	clickAndWait(t, frame, `input[name=action][value=check] ~ .actions button`, `#report-heading`)
	got = text(t, frame, `section[aria-labelledby=check-heading]`)
	if !strings.Contains(got, "turn on the Stockbell app embed") || strings.Contains(got, "below") {
		t.Errorf("the check of an open store's page without the script says:\n%s", got)
	}
}
