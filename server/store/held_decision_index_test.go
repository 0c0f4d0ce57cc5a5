package store_test

import (
	"fmt"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestHeldBatchDecisionIsFoundByIndex: the decision on a held batch
// (FindHeldBatchDecision, read for each batch the admin shows) is found
// through the partial index events_batch_decided, not by reading the
// shop's whole activity log. The shops hold thousands of events, a
// quarter of them decisions, and the statistics are gathered, so that
// each database plans the statement from the data, as in production.
func TestHeldBatchDecisionIsFoundByIndex(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		var shops []*stockbell.Shop
		for i := range 4 {
			shop := install(t, db, stockbell.PlatformFeed, fmt.Sprintf("decisions%d.example", i))
			shops = append(shops, shop)
			_, err := db.DB.Exec(db.DB.Rebind(`WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
				INSERT INTO events (shop_id, kind, detail, created_at)
				SELECT ?, CASE WHEN i % 4 = 0 THEN 'batch_decided' ELSE 'subscribed' END,
					'{"batch_id":' || CAST(i AS TEXT) || ',"decision":"approved","messages":' || CAST(i AS TEXT) || '}', ? FROM n`),
				shop.ID, db.Clock.Now())
			must(t, err)
		}
		_, err := db.DB.Exec(`ANALYZE`)
		must(t, err)
		shop := shops[2]
		plan := queryPlan(t, db, store.HeldBatchDecisionQuery(db), shop.ID, 1000)
		if !strings.Contains(plan, "events_batch_decided") {
			t.Errorf("FindHeldBatchDecision does not use the index events_batch_decided:\n%s", plan)
		}
		decision, err := db.FindHeldBatchDecision(ctx, shop.ID, 1000)
		must(t, err)
		if !decision.Approved || decision.Messages != 1000 {
			t.Errorf("the decision on batch 1000 = %+v, want approved with its 1000 messages", decision)
		}
	})
}
