package feed_test

import (
	"testing"

	"github.com/stockbell/stockbell/integrations/feed/feedtest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestSyncLearnsTheCurrencyItsPricesState: prices written as Google
// Merchant writes them ("15.00 USD") give the shop its currency when every
// item that states one states the same; items that disagree give it none
// (never a guess), and each price keeps its own code.
func TestSyncLearnsTheCurrencyItsPricesState(t *testing.T) {
	cases := []struct{ body, want string }{
		{`[{"id":"A","title":"A","price":"15.00 USD","inventory_quantity":0},
			   {"id":"B","title":"B","price":"8 USD","inventory_quantity":2},
			   {"id":"C","title":"C","inventory_quantity":1}]`, "USD"},
		{`[{"id":"A","title":"A","price":"15.00 USD","inventory_quantity":0},
			   {"id":"B","title":"B","price":"8.00 EUR","inventory_quantity":2}]`, ""},
	}
	for i, c := range cases {
		storetest.Run(t, func(t *testing.T, db *store.DB) {
			e := newEnv(t, db)
			path := "/prices" + string(rune('a'+i)) + ".json"
			e.host.Set(path, feedtest.Feed{Body: []byte(c.body), ContentType: "application/json"})
			shop := e.connect(path, nil)
			if r := e.sync(shop); r.Failed() {
				t.Fatalf("sync = %+v", r)
			}
			stored, err := db.FindShopByID(ctx, shop.ID)
			if err != nil || stored.Currency != c.want {
				t.Errorf("feed %d: stored shop %+v, %v; want currency %q", i, stored, err, c.want)
			}
			if v := e.variant(shop, "A"); v.Price != "15.00 USD" {
				t.Errorf("feed %d: item A's price %q, want it as the feed wrote it", i, v.Price)
			}
		})
	}
}
