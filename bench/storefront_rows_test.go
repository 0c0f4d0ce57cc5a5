package bench

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// BenchmarkStorefrontSameRows is BenchmarkStorefrontSubscribe against
// another baseline: a bare net/http handler that writes, per request, the
// rows a subscription post stores (the subscription in the real
// subscriptions table, with its indexes and its key to the variant, and
// its "subscribed" event), in one transaction, on the same schema. Where
// StorefrontSubscribe's baseline measures what a handler costs that
// writes one row to a table without indexes, this one measures the
// database work a post cannot avoid, done one request at a time.
//
//	go test ./bench -run '^$' -bench StorefrontSameRows -benchtime 10000x -count 5
func BenchmarkStorefrontSameRows(b *testing.B) {
	for _, dialect := range storetest.Dialects(b) {
		b.Run(string(dialect), func(b *testing.B) {
			runPair(b, storefrontTarget(dialect), bareSameRowsTarget(dialect))
		})
	}
}

// bareSameRowsTarget is the baseline: decode nothing, and store the
// subscription and its event for the contact the load generator numbered
// (sent as the request's query) in one transaction. On SQLite the
// transactions take turns on a mutex: SQLite has one writer, and
// connections left to queue on its busy timeout sleep for milliseconds.
func bareSameRowsTarget(dialect store.Dialect) target {
	return func(b *testing.B) arm {
		db, dbURL := storetest.OpenURL(b, dialect)
		shop := soldOutShop(b, db)
		var variantID int64
		if err := db.DB.Get(&variantID, db.DB.Rebind(`SELECT id FROM variants WHERE shop_id = ?`), shop.ID); err != nil {
			b.Fatal(err)
		}
		insertSubscription := db.DB.Rebind(`INSERT INTO subscriptions (shop_id, variant_id, email, phone, channels,
			status, awaiting, locale, sms_consent, sms_consent_text, marketing_consent, consent_ip, source, created_at, updated_at)
			VALUES (?, ?, ?, '', ?, ?, '', '', FALSE, '', FALSE, '', 'storefront', ?, ?) RETURNING id`)
		insertEvent := db.DB.Rebind(`INSERT INTO events (shop_id, kind, variant_id, subscription_id, detail, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`)
		var oneWriter sync.Mutex
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			email := r.URL.Query().Get("email")
			now := time.Now().UTC()
			if dialect == store.SQLite {
				oneWriter.Lock()
				defer oneWriter.Unlock()
			}
			tx, err := db.DB.BeginTxx(r.Context(), nil)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			defer tx.Rollback()
			var id int64
			err = tx.GetContext(r.Context(), &id, insertSubscription, shop.ID, variantID, email, stockbell.Channels{stockbell.ChannelEmail},
				stockbell.SubscriptionQueued, now, now)
			if err == nil {
				_, err = tx.ExecContext(r.Context(), insertEvent, shop.ID, stockbell.EventSubscribed, variantID, id,
					`{"channels":["email"],"source":"storefront"}`, now)
			}
			if err == nil {
				err = tx.Commit()
			}
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			w.WriteHeader(http.StatusCreated)
		}))
		b.Cleanup(ts.Close)
		return arm{newRequest: func(i int) *http.Request {
			email := fmt.Sprintf("shopper%d@example.com", i)
			return textPost(ts.URL+"?email="+email, fmt.Sprintf(`{"email":%q}`, email))
		}, pgDatabase: pgDatabase(dbURL)}
	}
}

// BenchmarkWebhookSameRows is BenchmarkWebhookAccept (processing running)
// against another baseline: a bare net/http handler that verifies the same
// HMAC and inserts, per request, the row an accepted webhook stores: its
// receipt in the real webhook_receipts table, with its indexes and its
// uniqueness on the event id, on the same schema.
//
//	go test ./bench -run '^$' -bench WebhookSameRows -benchtime 10000x -count 5
func BenchmarkWebhookSameRows(b *testing.B) {
	for _, dialect := range storetest.Dialects(b) {
		b.Run(string(dialect), func(b *testing.B) {
			runWebhookAccept(b, dialect, bareReceiptTarget(dialect))
		})
	}
}

// bareReceiptTarget is the baseline: verify the HMAC, insert the receipt.
func bareReceiptTarget(dialect store.Dialect) target {
	return func(b *testing.B) arm {
		db, dbURL := storetest.OpenURL(b, dialect)
		shop := storetest.MustShop(b, db, stockbell.PlatformShopify, benchDomain)
		insert := db.DB.Rebind(`INSERT INTO webhook_receipts (platform, shop_id, domain, event_id, topic, payload,
			triggered_at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (platform, domain, event_id) DO NOTHING`)
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			if !shopify.VerifySignature([]string{benchSecret}, body, r.Header.Get("X-Shopify-Hmac-Sha256")) {
				http.Error(w, "bad signature", http.StatusUnauthorized)
				return
			}
			triggered, err := time.Parse(time.RFC3339Nano, r.Header.Get("X-Shopify-Triggered-At"))
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			_, err = db.DB.ExecContext(r.Context(), insert, stockbell.PlatformShopify, shop.ID, benchDomain,
				r.Header.Get("X-Shopify-Event-Id"), r.Header.Get("X-Shopify-Topic"), string(body), triggered.UTC(), time.Now().UTC())
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			w.WriteHeader(http.StatusOK)
		}))
		b.Cleanup(ts.Close)
		return arm{newRequest: func(i int) *http.Request { return signedWebhook(ts.URL, i) }, pgDatabase: pgDatabase(dbURL)}
	}
}
