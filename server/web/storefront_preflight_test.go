package web_test

import (
	"context"
	"net/http"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestPreflightAnswersEveryStorefrontOrigin: a client that posts JSON with
// its own content type asks first (OPTIONS). Every origin whose POST the
// shop accepts may ask — its platform domain, its primary domain, and the
// storefront origins its merchant added (a headless storefront) — and no
// other origin.
func TestPreflightAnswersEveryStorefrontOrigin(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newStorefront(t, db, noLimits(), noLimits())
		ctx := context.Background()
		if err := db.AddShopOrigin(ctx, f.shop.ID, "https://headless.example"); err != nil {
			t.Fatal(err)
		}
		if err := db.UpdateShopDetails(ctx, f.shop.ID, stockbell.ShopDetails{PrimaryDomain: "bells.example"}); err != nil {
			t.Fatal(err)
		}
		preflight := func(origin string) (int, http.Header) { return f.preflight(t, origin) }
		for _, origin := range []string{"https://bells.myshopify.com", "https://bells.example", "https://headless.example"} {
			status, headers := preflight(origin)
			if status != http.StatusNoContent || headers.Get("Access-Control-Allow-Origin") != origin {
				t.Errorf("preflight from %s: %d, ACAO %q; want 204 allowing it", origin, status, headers.Get("Access-Control-Allow-Origin"))
			}
			code, out, _ := f.post(t, body(map[string]any{"email": "x@" + origin[len("https://"):]}), "Origin", origin, "Content-Type", "application/json")
			if code != http.StatusCreated {
				t.Errorf("JSON POST from %s after its preflight: %d %v", origin, code, out)
			}
		}
		for _, origin := range []string{"https://evil.example", "http://headless.example", "https://headless.example:8443", "null", ""} {
			if status, headers := preflight(origin); status != http.StatusForbidden || headers.Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("preflight from %q: %d, ACAO %q; want 403 without CORS headers", origin, status, headers.Get("Access-Control-Allow-Origin"))
			}
		}
	})
}

// TestPreflightRefusesAnUninstalledShopsOrigins: once a shop is uninstalled
// its POSTs are refused, so its origins may no longer ask either.
func TestPreflightRefusesAnUninstalledShopsOrigins(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newStorefront(t, db, noLimits(), noLimits())
		ctx := context.Background()
		if err := db.AddShopOrigin(ctx, f.shop.ID, "https://headless.example"); err != nil {
			t.Fatal(err)
		}
		if err := db.UpdateShopDetails(ctx, f.shop.ID, stockbell.ShopDetails{PrimaryDomain: "bells.example"}); err != nil {
			t.Fatal(err)
		}
		if err := db.UninstallShop(ctx, f.shop.ID); err != nil {
			t.Fatal(err)
		}
		for _, origin := range []string{"https://bells.myshopify.com", "https://bells.example", "https://headless.example"} {
			req, _ := http.NewRequest(http.MethodOptions, f.url, nil)
			req.Header.Set("Origin", origin)
			req.Header.Set("Access-Control-Request-Method", "POST")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("preflight from %s of an uninstalled shop: %d, ACAO %q; want 403 without CORS headers",
					origin, resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
			}
		}
	})
}

// preflight asks, as a client sending JSON does, whether origin may post
// a subscription; it returns the answer's status and headers.
func (f *storefrontFixture) preflight(t *testing.T, origin string) (int, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodOptions, f.url, nil)
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "content-type")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header
}
