package feed_test

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/feed"
	"github.com/stockbell/stockbell/integrations/feed/feedtest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// sweep is the shop's feed of three items, synced once, for the checks of
// what a sync unpublishes: the first item is kept, the second gone; empty
// is the document Empty serves.
func (e *env) sweep(empty feedtest.Feed) storetest.Sweep {
	items := feedtest.Items(3, 0)
	e.host.Set("/f", feedtest.Feed{Body: feedtest.Document("json", items), ContentType: "application/json"})
	shop := e.connect("/f", nil)
	e.sync(shop)
	return storetest.Sweep{DB: e.db, ShopID: shop.ID, Source: stockbell.FeedSource,
		Sync: func() error {
			_, err := e.in.Sync(ctx, shop.ID, feed.SyncOptions{})
			return err
		},
		Empty: func() { e.host.Set("/f", empty) },
		KeepOnly: func() {
			e.host.Set("/f", feedtest.Feed{Body: feedtest.Document("json", items[:1]), ContentType: "application/json"})
		},
		Kept: items[0].ID, Gone: items[1].ID}
}

// TestSyncOfAnEmptyListing: a sound document that lists no item (an empty
// array or <Products>, or only rows without an id) unpublishes nothing and
// is a failure in the sync log (storetest.CheckEmptyListing).
func TestSyncOfAnEmptyListing(t *testing.T) {
	empties := map[string]feedtest.Feed{
		"json":     {Body: []byte("[]\n"), ContentType: "application/json"},
		"xml":      {Body: []byte(`<?xml version="1.0"?><Products></Products>`), ContentType: "application/xml"},
		"no_ids":   {Body: []byte(`[{"sku":"SKU-000000","inventory_quantity":3}]`), ContentType: "application/json"},
		"no_items": {Body: []byte(`<Products><Product><id> </id><inventory_quantity>1</inventory_quantity></Product></Products>`), ContentType: "text/xml"},
	}
	for name, empty := range empties {
		t.Run(name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) { storetest.CheckEmptyListing(t, newEnv(t, db).sweep(empty)) })
		})
	}
}
