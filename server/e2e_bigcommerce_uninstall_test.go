package main

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	stockbell "github.com/stockbell/stockbell"
)

// TestBigCommerceUninstallOnTheServer runs the uninstall callback on the
// real server, on each database: a real uninstall (BigCommerce revoked the
// token) made while BigCommerce's API is away is answered 502 and leaves
// the store installed, and the queued confirmation uninstalls it once the
// API refuses the token; after the app is installed again, that genuine
// payload replayed to the callback changes nothing.
func TestBigCommerceUninstallOnTheServer(t *testing.T) {
	t.Parallel() // a server of its own, mostly waiting on its queue: see startServer
	for dialect, dbURL := range databaseURLs(t) {
		t.Run(string(dialect), func(t *testing.T) {
			m, fake := bigCommerceServerOn(t, dbURL)
			ctx := context.Background()
			install := func() {
				t.Helper()
				resp, err := noRedirectClient().Get(m.URL() + "/auth/bigcommerce/callback?" + fake.Authorize(e2eStore, e2eOwner, "store_v2_products_read_only").Encode())
				if err != nil || resp.StatusCode != http.StatusFound {
					t.Fatalf("install: %v %v", resp, err)
				}
				resp.Body.Close()
			}
			install()
			shop, err := m.DB.FindShopByDomain(ctx, stockbell.PlatformBigCommerce, "stores/"+e2eStore)
			if err != nil {
				t.Fatal(err)
			}
			uninstall := func(payload string) int {
				t.Helper()
				resp, err := http.Get(m.URL() + "/auth/bigcommerce/uninstall?" + url.Values{"signed_payload_jwt": {payload}}.Encode())
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				return resp.StatusCode
			}
			installed := func() bool {
				got, err := m.DB.FindShopByID(ctx, shop.ID)
				return err == nil && got.Active() && got.SealedToken != nil
			}

			fake.SetAPIStatus(http.StatusServiceUnavailable)
			captured := fake.Uninstall(e2eStore, e2eOwner)
			if status := uninstall(captured); status != http.StatusBadGateway || !installed() {
				t.Fatalf("an uninstall BigCommerce's API could not confirm: answered %d, installed %t", status, installed())
			}
			fake.SetAPIStatus(0)
			eventually(t, m, "the queued confirmation to uninstall the store", func() bool { return !installed() })

			install()
			if status := uninstall(captured); status != http.StatusOK || !installed() {
				t.Fatalf("the captured uninstall replayed after a reinstall: answered %d, installed %t", status, installed())
			}
		})
	}
}
