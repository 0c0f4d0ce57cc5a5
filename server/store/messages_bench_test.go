package store_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// pendingMessages inserts n notified subscriptions of one variant, each
// with a leased pending first message, and returns the shop and the message ids.
func pendingMessages(b *testing.B, db *store.DB, n int) (int64, []int64) {
	b.Helper()
	shop, err := db.InstallShop(ctx, stockbell.ShopInstall{Platform: stockbell.PlatformShopify, Domain: "bench.myshopify.com"})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: shop.ID, PlatformID: "p", Published: true,
		Variants: []stockbell.VariantUpsert{{PlatformID: "v", Tracked: true}}}); err != nil {
		b.Fatal(err)
	}
	v, err := db.FindVariant(ctx, shop.ID, "v")
	if err != nil {
		b.Fatal(err)
	}
	now, lease := time.Now().UTC(), time.Now().UTC().Add(time.Minute)
	var ids []int64
	for from := 0; from < n; from += 500 {
		var subs, msgs []string
		var subArgs []any
		for i := from; i < min(from+500, n); i++ {
			subs = append(subs, "(?, ?, ?, 'email', 'notified', ?, ?)")
			subArgs = append(subArgs, shop.ID, v.ID, fmt.Sprintf("b%07d@example.com", i), now, now)
		}
		var subIDs []int64
		if err := db.DB.SelectContext(ctx, &subIDs, db.DB.Rebind(`INSERT INTO subscriptions (shop_id, variant_id, email, channels, status, created_at, updated_at)
			VALUES `+strings.Join(subs, ", ")+` RETURNING id`), subArgs...); err != nil {
			b.Fatal(err)
		}
		var msgArgs []any
		for _, id := range subIDs {
			msgs = append(msgs, "(?, ?, 1, 'email', 'x@example.com', 'pending', 1, ?, ?, ?)")
			msgArgs = append(msgArgs, shop.ID, id, now, now, lease)
		}
		var msgIDs []int64
		if err := db.DB.SelectContext(ctx, &msgIDs, db.DB.Rebind(`INSERT INTO messages (shop_id, subscription_id, step, channel, recipient, status, attempts, due_at, created_at, lease_until)
			VALUES `+strings.Join(msgs, ", ")+` RETURNING id`), msgArgs...); err != nil {
			b.Fatal(err)
		}
		ids = append(ids, msgIDs...)
	}
	return shop.ID, ids
}

// BenchmarkFinishMessageSent measures the at-least-once window's database
// part: from the provider's acceptance, the one transaction that marks the
// message sent with its event and the flow's next step.
func BenchmarkFinishMessageSent(b *testing.B) {
	for _, dialect := range storetest.Dialects(b) {
		b.Run(string(dialect), func(b *testing.B) {
			db := storetest.Open(b, dialect)
			shopID, ids := pendingMessages(b, db, b.N)
			b.ResetTimer()
			for i := range b.N {
				done, err := db.FinishMessage(ctx, stockbell.MessageResult{ShopID: shopID, MessageID: ids[i], Status: stockbell.MessageSent, ProviderID: "p"})
				if err != nil || !done {
					b.Fatal(done, err)
				}
			}
		})
	}
}
