package feed_test

import (
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/feed/feedtest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// A feed host that sends Last-Modified without an ETag (a script that
// knows its latest change) answers If-Modified-Since by comparing whole
// seconds. A document served in the same second as its Last-Modified may
// change again within that second and keep that Last-Modified: sending it
// back would get a 304 and the change (here, a restock shoppers wait for)
// would be missed until the document changed again. Such a Last-Modified
// is weak (RFC 9110, section 8.8.2.2) and is not sent back; one at least a
// second before the answer's Date is, and its 304 ends the sync.
func TestChangeWithinTheSecondOfLastModifiedIsRead(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		modified := time.Now().UTC().Truncate(time.Second).Add(-time.Hour)
		items := feedtest.Items(3, 0)
		serve := func(date time.Time) {
			e.host.Set("/f.json", feedtest.Feed{Body: feedtest.Document("json", items), ModifiedAt: modified, Date: date, NoETag: true})
		}
		serve(modified) // served in the second it was written
		shop := e.connect("/f.json", nil)
		e.sync(shop)
		_, _, err := db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: e.variant(shop, "SKU-000001").ID,
			Email: "ann@example.com", Channels: stockbell.Channels{stockbell.ChannelEmail}, Source: "snippet"})
		must(t, err)

		jobs := e.stockJobs()
		items[1].InventoryQuantity = 4 // restocked within the same second
		serve(modified.Add(time.Minute))
		if r := e.sync(shop); r.NotModified || r.Changed != 1 {
			t.Fatalf("the sync after a change within the second of Last-Modified = %+v (If-Modified-Since %q), want the change read",
				r, e.host.Header("/f.json").Get("If-Modified-Since"))
		}
		if v := e.variant(shop, "SKU-000001"); v.Stock != 4 || e.stockJobs()-jobs != 1 {
			t.Fatalf("restocked item = stock %d, %d stock jobs; want 4 and 1", v.Stock, e.stockJobs()-jobs)
		}

		// That answer's Date was a minute after its Last-Modified: the
		// next sync sends it back and ends on the 304.
		if r := e.sync(shop); !r.NotModified {
			t.Fatalf("the sync with a strong Last-Modified = %+v (If-Modified-Since %q), want 304", r, e.host.Header("/f.json").Get("If-Modified-Since"))
		}
	})
}
