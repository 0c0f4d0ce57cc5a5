package store_test

import (
	"fmt"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestBatchStatementsArePlannedOnce: on PostgreSQL the group writer's batch
// inserts of subscriptions and receipts are planned once per connection
// and then run on their generic plan, also when every batch holds a few
// rows; planning such a statement at every batch cost more of
// PostgreSQL's CPU than running it. The pool is held to one connection so
// that its prepared statements can be read.
func TestBatchStatementsArePlannedOnce(t *testing.T) {
	db := storetest.Open(t, store.Postgres)
	db.DB.SetMaxOpenConns(1)
	shop := install(t, db, stockbell.PlatformShopify, "plans.myshopify.com")
	product(t, db, shop.ID, "p1", map[string]int{"v1": 0})
	v := variant(t, db, shop.ID, "v1")
	const batches = 12
	for i := range batches {
		var creates []stockbell.SubscriptionCreate
		var receipts []*stockbell.WebhookReceipt
		for j := range 3 {
			creates = append(creates, stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: v.ID, Channels: stockbell.Channels{stockbell.ChannelEmail},
				Email: fmt.Sprintf("shopper%d-%d@example.com", i, j), Source: "snippet"})
			receipts = append(receipts, receipt(&shop.ID, fmt.Sprintf("event-%d-%d", i, j)))
		}
		_, created, errs := store.CreateSubscriptionsInOneBatch(db, creates)
		for j := range creates {
			if errs[j] != nil || !created[j] {
				t.Fatalf("batch %d, post %d: created %v, %v", i, j, created[j], errs[j])
			}
		}
		if _, errs := store.RecordReceiptsInOneBatch(db, receipts, nil); errs[0] != nil {
			t.Fatalf("batch %d of receipts: %v", i, errs[0])
		}
	}
	for _, table := range []string{"new_subscription", "new_receipt"} {
		var generic, custom int
		err := db.DB.QueryRow(`SELECT COALESCE(SUM(generic_plans), 0), COALESCE(SUM(custom_plans), 0) FROM pg_prepared_statements
			WHERE statement LIKE 'WITH ' || $1 || '(%'`, table).Scan(&generic, &custom)
		must(t, err)
		if generic+custom < batches || custom > 5 {
			t.Errorf("the batch insert reading %s ran on %d generic and %d custom plans in %d batches of 3: want a custom plan at most for its first five runs",
				table, generic, custom, batches)
		}
	}
}
