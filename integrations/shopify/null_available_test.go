package shopify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// untrackedLevelBody is a level webhook's body for an item Shopify does not
// track: its available is null.
func untrackedLevelBody(item, location int64, updatedAt time.Time) []byte {
	b, _ := json.Marshal(map[string]any{
		"inventory_item_id": item, "location_id": location, "available": nil,
		"updated_at":           updatedAt.Format(time.RFC3339),
		"admin_graphql_api_id": "gid://shopify/InventoryLevel/" + itoa(location) + "?inventory_item_id=" + itoa(item),
	})
	return b
}

// TestLevelWithNullAvailable: Shopify sends "available": null for an item
// it no longer tracks. The delivery is accepted and stored (a refusal would
// make Shopify retry and, in the end, drop the subscription), and its
// processing reads the item again: the variant is stored untracked, its
// stock not set to 0 by a quantity the webhook does not carry. The topic
// binding still holds: a disconnect body carries no available, null or not.
func TestLevelWithNullAvailable(t *testing.T) {
	for _, topic := range []string{"inventory_levels/update", "inventory_levels/connect"} {
		for _, together := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/together=%v", topic, together), func(t *testing.T) {
				testLevelWithNullAvailable(t, topic, together)
			})
		}
	}
}

func testLevelWithNullAvailable(t *testing.T, topic string, together bool) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		e.stockTShirt()
		e.fake.SetLevel(shopDomain, smallItem, warehouse, 3)
		if err := e.in.SyncCatalog(context.Background(), stockbell.ShopifyCatalogSyncJob{ShopID: shop.ID}); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Minute)
		e.fake.Do(shopDomain, func(s *shopifytest.Shop) { s.Products[0].Variants[0].Tracked = false })
		body := untrackedLevelBody(smallItem, warehouse, e.clock.Now())
		if res := e.send(shopifytest.Webhook{Topic: topic, Body: body}); res.StatusCode != http.StatusOK {
			t.Fatalf("%s with available null: status %d, want 200", topic, res.StatusCode)
		}
		if together {
			e.drainTogether()
		} else {
			e.runWebhookJobs()
		}
		v, levels := e.variant(shop.ID, smallVariant)
		if v.Tracked || levels[itoa(warehouse)] != 3 {
			t.Errorf("Small: tracked %v levels %v, want untracked with the warehouse's 3 as read", v.Tracked, levels)
		}
		res := e.send(shopifytest.Webhook{Topic: "inventory_levels/disconnect", Body: body})
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("disconnect carrying available null: status %d, want 400", res.StatusCode)
		}
	})
}
