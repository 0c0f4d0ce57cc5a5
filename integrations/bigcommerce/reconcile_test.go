package bigcommerce_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/bigcommerce"
	"github.com/stockbell/stockbell/integrations/bigcommerce/bigcommercetest"
	"github.com/stockbell/stockbell/server/restock/restocktest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// The socks: one product tracked per variant with more variants than an
// Inventory API page lists (250), so its levels take two pages. They come
// first in the store, so their variants are stored before the shirt's and
// the shirt is on the second page of the variants with subscribers.
const (
	socksID       = int64(900)
	sockVariants  = 300
	firstSock     = int64(90_000)
	waitedSocks   = 260 // more variants with subscribers than one page of the store's own listing (250)
	restockedSock = firstSock + sockVariants - 1
)

func withSocks(s *bigcommercetest.Store) {
	socks := &bigcommercetest.Product{ID: socksID, Name: "Socks", URL: "/socks/", Visible: true, Availability: "available",
		Tracking: "variant", Price: "4", Modified: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)}
	for i := range sockVariants {
		socks.Variants = append(socks.Variants, &bigcommercetest.Variant{ID: firstSock + int64(i), SKUID: 50_000 + int64(i),
			SKU: fmt.Sprint("SOCK-", i), Options: []string{fmt.Sprint("Pattern ", i)}, Levels: map[int64]int{warehouse: 0}})
	}
	s.Products = append([]*bigcommercetest.Product{socks}, s.Products...)
}

// TestReconcileRecoversAMissedWebhook: stock returns in the store and the
// webhook never arrives. The periodic reconciliation queues a job per
// store; the store's job reads again every product with waiting
// subscribers (paging through its own list of them and through the
// Inventory API's, and waiting out a 429 on the way), stores the levels
// read, and the engine notifies the subscribers of what came back, and no
// one else.
func TestReconcileRecoversAMissedWebhook(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fake.Do(storeHash, withSocks)
		shop := e.installed()
		shirt := e.variant(shop, shirtSmall)
		e.subscribe(shop, shirt.ID, "ann@example.com")
		e.subscribe(shop, shirt.ID, "bob@example.com")
		for i := range waitedSocks {
			sock := e.variant(shop, restockedSock-int64(i))
			e.subscribe(shop, sock.ID, fmt.Sprintf("sock%d@example.com", i))
		}
		e.runRestock()
		if n := e.count(`SELECT COUNT(*) FROM subscriptions WHERE shop_id = ? AND status = 'notified'`, shop.ID); n != 0 {
			t.Fatalf("%d subscribers notified before any restock", n)
		}

		// Restocked in the store; BigCommerce's webhooks are lost.
		e.fake.SetVariantLevel(storeHash, shirtSmall, shopFloor, 2)
		e.fake.SetVariantLevel(storeHash, restockedSock, warehouse, 1)
		e.clock.Advance(time.Minute)

		// The periodic job fans out one job per installed store.
		must(t, e.in.Reconcile(ctx, stockbell.BigCommerceReconcileJob{}))
		var queued []string
		must(t, db.DB.Select(&queued, `SELECT `+jsonArgs(db)+` FROM river_job WHERE kind = 'bigcommerce_reconcile'`))
		if len(queued) != 1 {
			t.Fatalf("%d per-store reconcile jobs queued, want 1", len(queued))
		}
		var job stockbell.BigCommerceReconcileJob
		must(t, json.Unmarshal([]byte(queued[0]), &job))
		if job.ShopID != shop.ID {
			t.Fatalf("reconcile job for shop %d, want %d", job.ShopID, shop.ID)
		}

		// Another app used up the store's quota: the first call is answered 429.
		e.fake.Exhaust(storeHash)
		throttledBefore, requestsBefore := e.throttledAndRequests()
		must(t, e.in.Reconcile(ctx, job))
		throttled, requests := e.throttledAndRequests()
		if throttled-throttledBefore != 1 || len(e.clock.Slept()) == 0 {
			t.Fatalf("throttled %d times, slept %v: the 429 was not waited out", throttled-throttledBefore, e.clock.Slept())
		}
		// Two products read again (the shirt, and the socks once for all
		// their waited-for variants), each as product + inventory pages:
		// 1 + 1 for the shirt, 1 + 2 for the socks, plus the one refused.
		if got := requests - requestsBefore; got != 6 {
			t.Fatalf("%d API requests, want 6", got)
		}

		if v := e.variant(shop, shirtSmall); v.Stock != 2 || v.SoldOut() {
			t.Fatalf("small shirt after the reconciliation = %+v", v)
		}
		if v := e.variant(shop, restockedSock); v.Stock != 1 {
			t.Fatalf("restocked sock (second inventory page) = %+v", v)
		}
		e.runRestock()
		if n := e.notified(shirt.ID); n != 2 {
			t.Fatalf("%d shirt subscribers notified, want 2", n)
		}
		if n := e.notified(e.variant(shop, restockedSock).ID); n != 1 {
			t.Fatalf("%d subscribers of the restocked sock notified, want 1", n)
		}
		if n := e.count(`SELECT COUNT(*) FROM subscriptions WHERE shop_id = ? AND status = 'notified'`, shop.ID); n != 3 {
			t.Fatalf("%d subscribers notified in all, want 3 (the sold-out socks' stay queued)", n)
		}

		// Nothing changed since: running again changes no stock and notifies no one.
		jobs := stockJobs(t, db)
		must(t, e.in.Reconcile(ctx, job))
		if stockJobs(t, db) != jobs {
			t.Fatal("a reconciliation finding nothing new queued stock jobs")
		}
	})
}

// TestHookCheckRecreatesHooks: BigCommerce deactivated some hooks after
// failed deliveries and one is gone altogether; the hourly check (the
// fan-out, then the store's job) reactivates the first and re-creates the
// other, with the store's secret, and deliveries through them are
// accepted again.
func TestHookCheckRecreatesHooks(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.installed()
		secret := hooksOf(e)[0].Headers[bigcommerce.SecretHeader]
		e.fake.DeactivateHooks(storeHash)
		e.fake.Do(storeHash, func(s *bigcommercetest.Store) {
			kept := s.Hooks[:0]
			for _, h := range s.Hooks {
				if h.Scope != bigcommerce.ScopeSKUInventory {
					kept = append(kept, h)
				}
			}
			s.Hooks = kept
		})
		if _, err := e.fake.Event(storeHash, bigcommerce.ScopeSKUInventory, bigcommercetest.SKUInventory(shirtSmallSKU, shirtID, shirtSmall, "absolute", 1)); err == nil {
			t.Fatal("the fake delivered through a deleted hook")
		}

		must(t, e.in.RegisterHooks(ctx, stockbell.BigCommerceRegisterHooksJob{}))
		if n := e.count(`SELECT COUNT(*) FROM river_job WHERE kind = 'bigcommerce_register_hooks'`); n != 1 {
			t.Fatalf("%d per-store hook jobs queued by the check, want 1", n)
		}
		must(t, e.in.RegisterHooks(ctx, stockbell.BigCommerceRegisterHooksJob{ShopID: shop.ID}))
		hooks := hooksOf(e)
		if len(hooks) != len(bigcommerce.SubscribedScopes) {
			t.Fatalf("%d hooks after the check, want %d", len(hooks), len(bigcommerce.SubscribedScopes))
		}
		for _, h := range hooks {
			if !h.Active || h.Headers[bigcommerce.SecretHeader] != secret || h.Destination != "https://app.example/webhooks/bigcommerce" {
				t.Fatalf("hook %s after the check = %+v", h.Scope, h)
			}
		}

		e.fake.SetVariantLevel(storeHash, shirtSmall, warehouse, 4)
		e.deliver(bigcommerce.ScopeSKUInventory, bigcommercetest.SKUInventory(shirtSmallSKU, shirtID, shirtSmall, "absolute", 4))
		if v := e.variant(shop, shirtSmall); v.Stock != 4 {
			t.Fatalf("stock after a delivery through the re-created hook = %d, want 4", v.Stock)
		}
	})
}

// subscribe queues a subscriber through the store, as the storefront does.
func (e *env) subscribe(shop *stockbell.Shop, variantID int64, email string) {
	e.t.Helper()
	_, _, err := e.db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: variantID,
		Email: email, Channels: stockbell.Channels{stockbell.ChannelEmail}})
	must(e.t, err)
}

// runRestock works the restock engine's jobs the store queued, as the
// server's workers would, until none is left.
func (e *env) runRestock() {
	e.t.Helper()
	restocktest.Run(e.t, e.db)
}

// jsonArgs selects a River job's args as JSON text on either database.
func jsonArgs(db *store.DB) string {
	if db.Dialect == store.Postgres {
		return "args::text"
	}
	return "json(args)"
}

func (e *env) notified(variantID int64) int {
	return e.count(`SELECT COUNT(*) FROM subscriptions WHERE variant_id = ? AND status = 'notified'`, variantID)
}

func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	must(e.t, e.db.DB.Get(&n, e.db.DB.Rebind(query), args...))
	return n
}

func (e *env) throttledAndRequests() (throttled, requests int) {
	e.fake.Do(storeHash, func(s *bigcommercetest.Store) { throttled, requests = s.Throttled, s.Requests })
	return throttled, requests
}
