package prestashop_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/prestashop"
	"github.com/stockbell/stockbell/integrations/prestashop/prestashoptest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// requestCount counts the requests the fake answered since from (an
// index into its log): all of them, and those that read which shop and
// group the connected shop is (shop_urls, shops, shop_groups).
func (e *env) requestCount(from int) (all, owner int) {
	requests := e.fake.Requests()[from:]
	for _, r := range requests {
		resource, _, _ := strings.Cut(r, "?")
		if slices.Contains(prestashop.OwnerResources, resource) {
			owner++
		}
	}
	return len(requests), owner
}

// TestStockOwnerIsKeptBetweenReads: the connected shop's place in its
// multistore (shop_urls → shops → shop_groups.share_stock, three requests)
// is read by the catalog sync and kept for prestashop.OwnerTTL, so a burst
// of reads (reconciliation, module posts) pays for it once, not three
// requests a read; a group that starts sharing stock is read from its
// shared row once that time has passed.
func TestStockOwnerIsKeptBetweenReads(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fake.Do(func(s *prestashoptest.Shop) {
			multistore(s, false)
			small := s.Products[0].Combinations[0]
			small.Quantity = 0 // shop 1's own stock
			small.Stocks = map[prestashoptest.StockOwner]int{{Group: 1}: 9}
		})
		shop, secret := e.connected()
		e.subscribe(shop, e.variant(shop, shirtID, shirtSmall), "ada@example.com")

		const reads = 10
		burst := func(name string, read func(i int)) {
			from := len(e.fake.Requests())
			for i := range reads {
				e.clock.Add(time.Second)
				read(i)
			}
			all, owner := e.requestCount(from)
			t.Logf("%d %s: %.1f webservice requests a read, %.1f of them for the shop's place in its multistore",
				reads, name, float64(all)/reads, float64(owner)/reads)
			if owner != 0 {
				t.Errorf("%d %s within %s of the catalog sync asked %d times for the shop's place in its multistore, want 0",
					reads, name, prestashop.OwnerTTL, owner)
			}
		}
		burst("reconciliations", func(int) { must(t, e.in.Reconcile(ctx, stockbell.PrestaShopReconcileJob{ShopID: shop.ID})) })
		// Combinations the shop does not list: each post reads the product.
		burst("module posts' reads", func(i int) { e.receive(e.signed(secret, e.stockPost(shirtID, 100+int64(i), 1))) })

		// The group starts sharing stock: the shop sells from the group's row (9).
		e.fake.Do(func(s *prestashoptest.Shop) { s.Groups[0].ShareStock = true })
		e.clock.Add(prestashop.OwnerTTL)
		from := len(e.fake.Requests())
		must(t, e.in.Reconcile(ctx, stockbell.PrestaShopReconcileJob{ShopID: shop.ID}))
		if _, owner := e.requestCount(from); owner != len(prestashop.OwnerResources) {
			t.Errorf("the first read %s later asked %d requests for the shop's place, want %d", prestashop.OwnerTTL, owner, len(prestashop.OwnerResources))
		}
		if v := e.variant(shop, shirtID, shirtSmall); v.Stock != 9 {
			t.Errorf("after the group began sharing stock the small shirt has stock %d, want the group's 9", v.Stock)
		}
	})
}

// TestStockOwnerAskedAgainWhenTheShopMoved: a merchant who deletes the
// connected shop of a multistore and makes another at its URL gives it a
// new id. The kept id then names no shop (PrestaShop redirects the stock
// read to the default shop's URL, whose rows are not the kept shop's): the
// read asks again at once which shop the URL is and reads the stock of
// the new one, without waiting for prestashop.OwnerTTL.
func TestStockOwnerAskedAgainWhenTheShopMoved(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fake.Do(func(s *prestashoptest.Shop) {
			multistore(s, false)
			s.Products[0].Combinations[0].Stocks = map[prestashoptest.StockOwner]int{{Shop: 2}: 0, {Shop: 4}: 6}
		})
		shop := e.connectedAt(e.fake.ShopURL(2))
		e.subscribe(shop, e.variant(shop, shirtID, shirtSmall), "ada@example.com")
		e.fake.Do(func(s *prestashoptest.Shop) {
			s.Storefronts = []prestashoptest.Storefront{{ID: 1, GroupID: 1, Name: "FR"}, {ID: 4, GroupID: 1, Name: "DE", Folder: "second"},
				{ID: 3, GroupID: 2, Name: "Outlet", Folder: "third"}}
		})
		e.clock.Add(time.Minute)
		from := len(e.fake.Requests())
		must(t, e.in.Reconcile(ctx, stockbell.PrestaShopReconcileJob{ShopID: shop.ID}))
		if v := e.variant(shop, shirtID, shirtSmall); v.Stock != 6 {
			t.Errorf("after the shop was made again as shop 4 the small shirt has stock %d, want shop 4's 6", v.Stock)
		}
		if _, owner := e.requestCount(from); owner != len(prestashop.OwnerResources) {
			t.Errorf("the read asked %d requests for the shop's place, want %d", owner, len(prestashop.OwnerResources))
		}
	})
}

// TestStockOwnerIsKeptPerShop: two shops of one installation connected to
// Stockbell each keep their own place in it: a read of one never uses the
// other's.
func TestStockOwnerIsKeptPerShop(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fake.Do(func(s *prestashoptest.Shop) {
			multistore(s, false)
			s.Products[0].Combinations[0].Stocks = map[prestashoptest.StockOwner]int{{Shop: 2}: 0}
		})
		first, second := e.connectedAt(e.fake.ShopURL(1)), e.connectedAt(e.fake.ShopURL(2))
		for _, shop := range []*stockbell.Shop{first, second} {
			e.subscribe(shop, e.variant(shop, shirtID, shirtSmall), "ada@example.com")
		}
		e.fake.Do(func(s *prestashoptest.Shop) {
			small := s.Products[0].Combinations[0]
			small.Quantity, small.Stocks = 4, map[prestashoptest.StockOwner]int{{Shop: 2}: 8}
		})
		e.clock.Add(time.Minute)
		for _, shop := range []*stockbell.Shop{second, first} {
			must(t, e.in.Reconcile(ctx, stockbell.PrestaShopReconcileJob{ShopID: shop.ID}))
		}
		if got1, got2 := e.variant(first, shirtID, shirtSmall).Stock, e.variant(second, shirtID, shirtSmall).Stock; got1 != 4 || got2 != 8 {
			t.Errorf("small shirt stock: shop 1 %d, shop 2 %d; want each its own, 4 and 8", got1, got2)
		}
	})
}
