package web_test

import (
	"html"
	"net/http"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestSyncLogPageShowsWebhookFailures: a failed BigCommerce webhook check
// and a failed Shopify webhook registration read on the Sync log page
// with their source in words and their reason whole (a long one,
// with an address and quotes), a repeated failure once with its count,
// and on the admin's banner.
func TestSyncLogPageShowsWebhookFailures(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		shop := mustShop(t, db, "a.example")
		const check = "BigCommerce refused to create the webhook for store/sku/inventory/updated (422: JSON data is missing or invalid; " +
			"destination: The destination must be an HTTPS URL on port 443). BigCommerce sends webhooks only to an HTTPS address on " +
			"port 443: check that https://app.example:8443/webhooks/bigcommerce, the server's public URL (STOCKBELL_PUBLIC_URL) " +
			"followed by /webhooks/bigcommerce, is one, reachable from the internet. The check is tried again."
		const registration = `Shopify refused to subscribe the shop to inventory_levels/update: webhookSubscriptionCreate answered ` +
			`"Address protocol http:// is not supported" on webhookSubscription.callbackUrl. The registration is tried again.`
		recordSyncs(t, f, shop.ID,
			stockbell.SyncReport{Source: "bigcommerce:hooks", Failure: check},
			stockbell.SyncReport{Source: "bigcommerce:hooks", Failure: check},
			stockbell.SyncReport{Source: "shopify:webhooks", Failure: registration})
		b := f.signIn(t, shop)
		page := b.get("/admin/sync-log")
		wantStatus(t, page, http.StatusOK, "the sync log")
		text := html.UnescapeString(visibleText(page.Body)) // as a browser shows the escaped quotes
		first := f.clock.Now().Add(-2 * time.Minute).UTC().Format("2 Jan 2006, 15:04 MST")
		for _, want := range []string{
			"BigCommerce webhook check failed 2 times in a row since " + first + " : " + check,
			"Shopify webhook registration failed " + registration,
			"BigCommerce webhook check failed 2 times in a row: " + check + " — see the sync log",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("the sync log page does not say %q:\n%s", want, text)
			}
		}
	})
}
