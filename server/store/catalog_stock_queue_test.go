package store_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestStockChangeWakesTheEngineOnlyForAQueue: a change to a variant no one
// waits for is stored and recorded without a job for the restock engine,
// whose decision would be to do nothing; once someone is queued, each
// applied change queues the job. A subscriber still awaiting her
// confirmation does not count, as for the engine.
func TestStockChangeWakesTheEngineOnlyForAQueue(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop, v := soldOut(t, db)
		at := clock.Now().Add(-time.Hour)
		change := func(location string, available, wantStock int) {
			t.Helper()
			at = at.Add(time.Second) // each change newer than the last
			r := apply(t, db, stockbell.StockChange{ShopID: shop.ID, VariantPlatformID: "v1", LocationID: location, Available: available, At: at})
			if !r.Applied || r.NewStock != wantStock {
				t.Fatalf("change at %s to %d = %+v, want stock %d", location, available, r, wantStock)
			}
		}
		change("paris", 4, 4)
		if got := variant(t, db, shop.ID, "v1"); got.Stock != 4 {
			t.Fatalf("stock = %d, want 4", got.Stock)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM events WHERE kind = ? AND variant_id = ?`, stockbell.EventStockChanged, v.ID); n != 1 {
			t.Fatalf("%d stock events, want 1", n)
		}
		if jobs := stockJobs(t, db); len(jobs) != 0 {
			t.Fatalf("stock jobs for a variant no one waits for: %v", jobs)
		}

		change("paris", 0, 0)
		pending := stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: v.ID, Phone: deMobile, Channels: stockbell.Channels{stockbell.ChannelSMS},
			SMSConsent: true, Source: "snippet"}
		sub, _, err := db.CreateSubscription(ctx, pending)
		must(t, err)
		if sub.Status != stockbell.SubscriptionPending {
			t.Fatalf("SMS subscription in Germany = %s, want pending (it awaits confirmation)", sub.Status)
		}
		change("paris", 2, 2)
		if jobs := stockJobs(t, db); len(jobs) != 0 {
			t.Fatalf("stock jobs with only a pending subscriber: %v", jobs)
		}

		change("paris", 0, 0)
		subscribe(t, db, shop.ID, v.ID, "ann@example.com", "")
		change("paris", 3, 3)
		change("lyon", 1, 4)
		if jobs := stockJobs(t, db); jobs[v.ID] != 2 || len(jobs) != 1 {
			t.Fatalf("stock jobs = %v, want 2 for variant %d (two changes with a queue)", jobs, v.ID)
		}
	})
}

// TestStockChangeRacingASubscriptionWakesTheEngine races a restock of a
// sold-out variant with a new subscriber's post, round after round: when
// both are done, the subscriber is queued on a variant in stock, and the
// restock engine must have a job to decide on it, queued by one side or
// the other, whichever committed last.
func TestStockChangeRacingASubscriptionWakesTheEngine(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformShopify, "race.myshopify.com")
		const rounds = 60
		levels := map[string]int{}
		for i := range rounds {
			levels[fmt.Sprintf("r%02d", i)] = -1
		}
		product(t, db, shop.ID, "p1", levels)
		for i := range rounds {
			v := variant(t, db, shop.ID, fmt.Sprintf("r%02d", i))
			raceRestockWithSubscription(t, db, v, i, func() error {
				_, err := db.ApplyStockChange(ctx, stockbell.StockChange{ShopID: shop.ID, VariantPlatformID: v.PlatformID, LocationID: "paris", Available: 3})
				return err
			})
		}
	})
}

// TestProductRestockRacingASubscriptionWakesTheEngine races a product
// upsert that restocks a sold-out variant (a platform's product webhook or
// catalog sync) with a new subscriber's post, round after round: the
// upsert queues the engine's job only when someone waits, so when both are
// done a job must exist, queued by whichever side committed last.
func TestProductRestockRacingASubscriptionWakesTheEngine(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := install(t, db, stockbell.PlatformShopify, "upsert-race.myshopify.com")
		const rounds = 150
		for i := range rounds {
			pid := fmt.Sprintf("p%03d", i)
			product(t, db, shop.ID, pid, map[string]int{"v" + pid: 0})
			v := variant(t, db, shop.ID, "v"+pid)
			clock.Add(time.Second)
			restock := stockbell.ProductUpsert{ShopID: shop.ID, PlatformID: pid, Title: "Product " + pid, Published: true,
				Variants: []stockbell.VariantUpsert{{PlatformID: v.PlatformID, InventoryItemID: v.InventoryItemID, Title: v.Title, Tracked: true,
					Levels: []stockbell.LocationLevel{{LocationID: stockbell.DefaultLocation, Available: 3, UpdatedAt: clock.Now()}}}}}
			raceRestockWithSubscription(t, db, v, i, func() error {
				_, err := db.UpsertProduct(ctx, restock)
				return err
			})
		}
	})
}

// raceRestockWithSubscription runs restock, which brings the sold-out
// variant v to a stock of 3, at the same moment as a new subscriber's post
// for it (the round's own contact). When both are done the subscriber is
// queued on a variant in stock, and the restock engine must have a job to
// decide on it, queued by whichever side committed last: the restock
// queues one only when it sees someone queued, the subscription only when
// it sees the variant purchasable.
func raceRestockWithSubscription(t *testing.T, db *store.DB, v *stockbell.VariantWithProduct, round int, restock func() error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	start := make(chan struct{})
	wg.Go(func() {
		<-start
		errs <- restock()
	})
	wg.Go(func() {
		<-start
		_, _, err := db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: v.ShopID, VariantID: v.ID,
			Email: fmt.Sprintf("shopper%d@example.com", round), Channels: stockbell.Channels{stockbell.ChannelEmail}, Source: "snippet"})
		errs <- err
	})
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		must(t, err)
	}
	if got := variant(t, db, v.ShopID, v.PlatformID); got.Stock != 3 {
		t.Fatalf("round %d: stock %d, want 3", round, got.Stock)
	}
	if jobs := stockJobs(t, db); jobs[v.ID] == 0 {
		t.Fatalf("round %d: a shopper is queued for variant %d, back in stock, and no job wakes the engine", round, v.ID)
	}
}

// TestProductUpsertsAndStockBatchesDoNotDeadlock runs product upserts that
// list a product's variants newest first beside batches of stock changes
// to the same variants (which lock them in id order), round after round:
// on PostgreSQL the upserts must take their variants' locks in the same
// order, or the two wait on each other and one is aborted as a deadlock.
func TestProductUpsertsAndStockBatchesDoNotDeadlock(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := install(t, db, stockbell.PlatformShopify, "deadlock.myshopify.com")
		const variants, rounds = 20, 10
		stocks := map[string]int{}
		for i := range variants {
			stocks[fmt.Sprintf("v%02d", i)] = 1
		}
		product(t, db, shop.ID, "p1", stocks)
		for round := range rounds {
			clock.Add(time.Second)
			// Each writer its own upsert: UpsertProduct fills in defaults
			// in the variants it is given.
			newUpsert := func() stockbell.ProductUpsert {
				up := stockbell.ProductUpsert{ShopID: shop.ID, PlatformID: "p1", Title: "Product p1", Published: true}
				for i := variants - 1; i >= 0; i-- {
					pid := fmt.Sprintf("v%02d", i)
					up.Variants = append(up.Variants, stockbell.VariantUpsert{PlatformID: pid, InventoryItemID: "inv-" + pid,
						Title: "Variant " + pid, Tracked: true, Levels: []stockbell.LocationLevel{{LocationID: stockbell.DefaultLocation,
							Available: round + 2, UpdatedAt: clock.Now()}}})
				}
				return up
			}
			var changes []stockbell.StockChange
			for i := variants - 1; i >= 0; i-- {
				changes = append(changes, stockbell.StockChange{ShopID: shop.ID, VariantPlatformID: fmt.Sprintf("v%02d", i),
					LocationID: "paris", Available: round, At: clock.Now()})
			}
			var wg sync.WaitGroup
			errs := make(chan error, 4)
			start := make(chan struct{})
			for range 2 {
				upsert := newUpsert()
				wg.Go(func() {
					<-start
					_, err := db.UpsertProduct(ctx, upsert)
					errs <- err
				})
				wg.Go(func() {
					<-start
					_, err := db.ApplyStockChanges(ctx, changes)
					errs <- err
				})
			}
			close(start)
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatalf("round %d: %v", round, err)
				}
			}
		}
	})
}
