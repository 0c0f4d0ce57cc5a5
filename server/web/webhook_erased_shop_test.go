package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/server/web"
)

// shopVerifier accepts every webhook as one of shop's, named by id, as the
// BigCommerce, Magento and PrestaShop verifiers name the shop they found
// by its secret.
type shopVerifier struct{ shop *stockbell.Shop }

func (v shopVerifier) VerifyWebhook(ctx context.Context, h http.Header, body []byte) (*stockbell.WebhookReceipt, error) {
	return &stockbell.WebhookReceipt{Platform: stockbell.PlatformBigCommerce, ShopID: &v.shop.ID, Domain: v.shop.Domain,
		EventID: h.Get("X-Event"), Topic: "stock", Payload: body}, nil
}

// TestWebhookForAShopErasedMeanwhileIsRefused: a webhook whose shop the
// verifier found, and which is erased before its receipt is stored (its
// erase's commit came between), is answered 401 as a webhook for a shop
// no longer connected is when its verifier finds none, never a 500 the
// platform would retry; nothing is stored. Another shop's webhook is
// stored.
func TestWebhookForAShopErasedMeanwhileIsRefused(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		gone, kept := mustShop(t, db, "gone.example"), mustShop(t, db, "kept.example")
		server := web.NewServer(slog.New(slog.DiscardHandler), prometheus.NewRegistry(), db)
		server.RegisterWebhook(stockbell.PlatformBigCommerce, shopVerifier{gone}, db)
		server.RegisterWebhook(stockbell.PlatformMagento, magentoOf{kept}, db)
		ts := httptest.NewServer(server.Handler())
		defer ts.Close()
		ctx := context.Background()
		if err := db.UninstallShop(ctx, gone.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteShop(ctx, gone.ID); err != nil {
			t.Fatal(err)
		}
		status, out := postWebhook(t, ts.URL+web.WebhookPath(stockbell.PlatformBigCommerce), `{}`, "X-Event", "late")
		if status != http.StatusUnauthorized || out["error"] == nil {
			t.Errorf("a webhook for the erased shop: %d %v, want 401 with an error body", status, out)
		}
		if status, _ := postWebhook(t, ts.URL+web.WebhookPath(stockbell.PlatformMagento), `{}`, "X-Event", "kept"); status != http.StatusOK {
			t.Errorf("the other shop's webhook: %d, want 200", status)
		}
		var stored []int64
		if err := db.DB.Select(&stored, `SELECT COALESCE(shop_id, 0) FROM webhook_receipts`); err != nil {
			t.Fatal(err)
		}
		if len(stored) != 1 || stored[0] != kept.ID {
			t.Errorf("receipts stored for shops %v, want the other shop's only (%d)", stored, kept.ID)
		}
	})
}

// magentoOf is shopVerifier for a Magento route.
type magentoOf shopVerifier

func (v magentoOf) VerifyWebhook(ctx context.Context, h http.Header, body []byte) (*stockbell.WebhookReceipt, error) {
	r, err := shopVerifier(v).VerifyWebhook(ctx, h, body)
	r.Platform = stockbell.PlatformMagento
	return r, err
}
