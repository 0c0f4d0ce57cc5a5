package prestashop_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/prestashop/prestashoptest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// multistore makes the fake an installation of three shops: 1 (at the
// installation's URL) and 2 (in the folder "second") in group 1, and 3
// (in "third") in group 2, which shares stock when shared is true.
func multistore(s *prestashoptest.Shop, group1Shares bool) {
	s.Groups = []prestashoptest.ShopGroup{{ID: 1, Name: "Europe", ShareStock: group1Shares}, {ID: 2, Name: "Outlet", ShareStock: true}}
	s.Storefronts = []prestashoptest.Storefront{{ID: 1, GroupID: 1, Name: "FR"}, {ID: 2, GroupID: 1, Name: "DE", Folder: "second"},
		{ID: 3, GroupID: 2, Name: "Outlet", Folder: "third"}}
}

// connectedAt connects the shop at url and runs its catalog sync.
func (e *env) connectedAt(shopURL string) *stockbell.Shop {
	e.t.Helper()
	shop, _, err := e.in.Connect(ctx, shopURL+"/", prestashoptest.Key)
	must(e.t, err)
	must(e.t, e.in.SyncCatalog(ctx, stockbell.PrestaShopCatalogSyncJob{ShopID: shop.ID}))
	return shop
}

// stockReads are the reads of products' stock the fake answered (not
// the connect's check of the resource).
func (e *env) stockReads() []url.Values {
	var out []url.Values
	for _, r := range e.fake.Requests() {
		if q, ok := strings.CutPrefix(r, "stock_availables?"); ok {
			if v, _ := url.ParseQuery(q); v.Has("filter[id_product]") {
				out = append(out, v)
			}
		}
	}
	return out
}

// TestMultistoreReadsTheShopsOwnStock: in a group that does not share
// stock, the connected shop's stock is its own rows (id_shop 2), not
// another shop's, nor a group row the webservice also lists for it
// (id_shop 0, left from when the group shared stock: older, so listed
// first), nor another group's shared stock.
func TestMultistoreReadsTheShopsOwnStock(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fake.Do(func(s *prestashoptest.Shop) {
			multistore(s, false)
			small := s.Products[0].Combinations[0]
			small.Quantity = 0 // shop 1's, and group 2's shared stock
			small.Stocks = map[prestashoptest.StockOwner]int{{Shop: 2}: 7, {Group: 1}: 9}
			s.Products[0].Combinations[1].Stocks = map[prestashoptest.StockOwner]int{{Shop: 2}: 0, {Group: 1}: 4}
		})
		shop := e.connectedAt(e.fake.ShopURL(2))
		if v := e.variant(shop, shirtID, shirtSmall); v.Stock != 7 {
			t.Errorf("shop 2's small shirt has stock %d, want its own 7", v.Stock)
		}
		if v := e.variant(shop, shirtID, shirtMedium); v.Stock != 0 || !v.SoldOut() {
			t.Errorf("shop 2's medium shirt: stock %d (sold out %v), want its own 0", v.Stock, v.SoldOut())
		}
		reads := e.stockReads()
		for _, q := range reads {
			if q.Get("id_shop") != "2" {
				t.Errorf("stock read in the context of shop %q, want 2: %v", q.Get("id_shop"), q)
			}
		}
		if len(reads) == 0 {
			t.Error("no stock read")
		}
	})
}

// TestMultistoreReadsTheGroupsSharedStock: in a group that shares stock,
// the connected shop's stock is the group's row (id_shop 0), not the
// shop's own row left from before (older, so listed first), and the
// 15-minute reconciliation reads the group's row again, whichever shop
// of the group sold.
func TestMultistoreReadsTheGroupsSharedStock(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fake.Do(func(s *prestashoptest.Shop) {
			multistore(s, true)
			small := s.Products[0].Combinations[0]
			small.Quantity = 0 // the group's shared stock
			small.Stocks = map[prestashoptest.StockOwner]int{{Shop: 1}: 6, {Group: 2}: 8}
		})
		shop := e.connectedAt(e.fake.URL())
		small := e.variant(shop, shirtID, shirtSmall)
		if small.Stock != 0 || !small.SoldOut() {
			t.Fatalf("the small shirt has stock %d, want the group's 0", small.Stock)
		}
		e.subscribe(shop, small, "ada@example.com")
		e.clock.Add(time.Minute)
		e.fake.Do(func(s *prestashoptest.Shop) { s.Products[0].Combinations[0].Quantity = 5 })
		must(t, e.in.Reconcile(ctx, stockbell.PrestaShopReconcileJob{ShopID: shop.ID}))
		if v := e.variant(shop, shirtID, shirtSmall); v.Stock != 5 {
			t.Errorf("after reconciliation the small shirt has stock %d, want the group's 5", v.Stock)
		}
	})
}

// TestMultistoreWithoutShopResources: a key that may not read shop_urls
// (an existing key, ticked for the required resources only) still syncs:
// the rows the webservice answers for the shop's URL are read, the first
// of each variant, as before, and nothing fails.
func TestMultistoreWithoutShopResources(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fake.Do(func(s *prestashoptest.Shop) { s.Denied["shop_urls"] = true })
		shop, _ := e.connected()
		if v := e.variant(shop, shirtID, shirtMedium); v.Stock != 3 {
			t.Fatalf("medium shirt stock %d, want 3", v.Stock)
		}
		if log := e.syncLog(shop); len(log) != 1 || log[0].Kind != stockbell.EventSyncFinished {
			t.Fatalf("sync log %+v, want one finished sync", log)
		}
		for _, q := range e.stockReads() {
			if q.Has("id_shop") {
				t.Errorf("stock read with id_shop %q though the shop is not known", q.Get("id_shop"))
			}
		}
	})
}
