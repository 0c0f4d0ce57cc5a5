package store_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestApplyStockChangesAsOneByOne applies random sequences of changes to
// two shops one by one, and to two other shops with the same catalogs as
// one batch: each change's outcome and then each pair of shops' levels,
// stocks, stock jobs and events must be the same. Each round's reads are
// begun before any of its changes, so they order against the levels of
// both sides alike. One batch is longer than SQLite's chunks of rows.
func TestApplyStockChangesAsOneByOne(t *testing.T) {
	seed := *stockSeed
	if seed == 0 {
		seed = 20250301
	}
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		useClock(db)
		t.Logf("seed %d (-stockseed to change it)", seed)
		rng := rand.New(rand.NewPCG(seed, seed))
		oneByOne := []batchShop{batchCatalog(t, db, "one-1.myshopify.com"), batchCatalog(t, db, "one-2.myshopify.com")}
		batch := []batchShop{batchCatalog(t, db, "batch-1.myshopify.com"), batchCatalog(t, db, "batch-2.myshopify.com")}
		sameStates(t, "after setup", db, oneByOne, batch)

		seen := map[string]int{}
		var previous stockbell.StockRead
		for round := range 20 {
			read, err := db.BeginStockRead(ctx)
			must(t, err)
			older := previous
			g := &stockChangeGen{rng: rng, base: platformT.Add(time.Duration(round) * 10 * time.Second),
				reads: []*stockbell.StockRead{{}, &read, &older}}
			previous = read
			n := 30 + rng.IntN(20)
			if round == 9 {
				n = 250 + rng.IntN(100)
			}
			changes := make([]stockbell.StockChange, n)
			for i := range changes {
				changes[i] = g.change()
			}

			want := make([]string, len(changes))
			for i, c := range forShops(changes, oneByOne) {
				r, err := db.ApplyStockChange(ctx, c)
				if code := stockbell.ErrorCode(err); err != nil && code != stockbell.EINVALID && code != stockbell.ENOTFOUND {
					t.Fatalf("seed %d round %d change %d %+v: %v", seed, round, i, c, err)
				}
				want[i] = outcomeText(r, err, oneByOne...)
				seen[outcomeKind(r, err)]++
			}
			outcomes, err := db.ApplyStockChanges(ctx, forShops(changes, batch))
			if err != nil {
				t.Fatalf("seed %d round %d: ApplyStockChanges: %v", seed, round, err)
			}
			if len(outcomes) != len(changes) {
				t.Fatalf("seed %d round %d: %d outcomes for %d changes", seed, round, len(outcomes), len(changes))
			}
			for i, o := range outcomes {
				if got := outcomeText(o.Result, o.Err, batch...); got != want[i] {
					t.Fatalf("seed %d round %d change %d %+v:\none by one: %s\nbatch:      %s", seed, round, i, changes[i], want[i], got)
				}
			}
			sameStates(t, fmt.Sprintf("seed %d round %d", seed, round), db, oneByOne, batch)
		}
		t.Logf("outcomes: %v", seen)
		for _, kind := range []string{"applied", "unchanged", "ignored", "reread", stockbell.ENOTFOUND, stockbell.EINVALID} {
			if seen[kind] == 0 {
				t.Errorf("no change was %s: the sequences do not test it (outcomes %v)", kind, seen)
			}
		}
	})
}

// outcomeKind sorts an outcome for the coverage check.
func outcomeKind(r *stockbell.StockResult, err error) string {
	switch {
	case err != nil:
		return stockbell.ErrorCode(err)
	case r.Applied:
		return "applied"
	case r.Reread:
		return "reread"
	case r.Reason != "":
		return "ignored"
	}
	return "unchanged" // a duplicate or a refresh
}

// TestApplyStockChangesInOrder: each change of a batch is ordered against
// the level the earlier ones left, and a change's own error fails only it.
func TestApplyStockChangesInOrder(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		useClock(db)
		shop, v := awaitedSoldOut(t, db)
		t0, t1, t2 := platformT, platformT.Add(time.Second), platformT.Add(2*time.Second)
		push := func(available int, at time.Time) stockbell.StockChange {
			return stockbell.StockChange{ShopID: shop.ID, VariantPlatformID: "v1", LocationID: "paris", Available: available, At: at, Source: "test:push"}
		}
		lyon := stockbell.StockChange{ShopID: shop.ID, InventoryItemID: "inv-v1", LocationID: "lyon", Available: 1, At: t1}
		gone := push(0, t2)
		gone.Disconnected = true
		outcomes, err := db.ApplyStockChanges(ctx, []stockbell.StockChange{
			push(2, t1),
			{ShopID: shop.ID, VariantPlatformID: "ghost", Available: 1, At: t1},
			push(5, t1), // the same second as the first, another quantity
			push(3, t0), // older than the first
			lyon,
			{ShopID: shop.ID, LocationID: "paris", Available: 1},
			push(2, t1), // the first again
			gone,
		})
		must(t, err)
		want := []string{
			"applied=true old=0 new=2 reread=false reason=\"\" variant v1 stock 2",
			"error not_found (field \"\")",
			"reread",
			"ignored",
			"applied=true old=2 new=3 reread=false reason=\"\" variant v1 stock 3",
			"error invalid (field \"variant\")",
			"applied=false old=3 new=3 reread=false reason=\"\" variant v1 stock 3",
			"applied=true old=3 new=1 reread=false reason=\"\" variant v1 stock 1",
		}
		if len(outcomes) != len(want) {
			t.Fatalf("%d outcomes, want %d", len(outcomes), len(want))
		}
		for i, o := range outcomes {
			got := outcomeText(o.Result, o.Err)
			switch want[i] {
			case "reread", "ignored":
				if outcomeKind(o.Result, o.Err) != want[i] || o.Result.NewStock != 2 || o.Result.OldStock != 2 {
					t.Errorf("change %d: %s, want %s at stock 2", i, got, want[i])
				}
				if want[i] == "reread" && !strings.Contains(o.Result.Reason, "same second") {
					t.Errorf("change %d: reason %q, want the same second", i, o.Result.Reason)
				}
			default:
				if got != want[i] {
					t.Errorf("change %d: %s, want %s", i, got, want[i])
				}
			}
		}
		if got := variant(t, db, shop.ID, "v1"); got.Stock != 1 {
			t.Fatalf("stock = %d, want 1", got.Stock)
		}
		if jobs := stockJobs(t, db); jobs[v.ID] != 3 {
			t.Fatalf("stock jobs = %v, want 3 for variant %d", jobs, v.ID)
		}
		for kind, n := range map[stockbell.EventKind]int{stockbell.EventStockChanged: 3, stockbell.EventStockChangeReread: 1,
			stockbell.EventStockChangeIgnored: 1} {
			if got := len(eventDetails(t, db, v, kind)); got != n {
				t.Errorf("%d %s events, want %d", got, kind, n)
			}
		}
	})
}

// TestApplyStockChangesRollsBackTogether: when a batch's transaction fails
// (here the second job's insert), none of its changes is stored, not even
// those before the failure; applied again, the batch applies in full.
func TestApplyStockChangesRollsBackTogether(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		useClock(db)
		shop := batchCatalog(t, db, "rollback.myshopify.com")
		ids := shop.ids
		before := stockState(t, db, shop)
		at := platformT
		changes := []stockbell.StockChange{
			{ShopID: shop.ID, VariantPlatformID: "v2", LocationID: "berlin", Available: 4, At: at}, // no one queued: no job
			{ShopID: shop.ID, VariantPlatformID: "v1", LocationID: "paris", Available: 7, At: at},  // the first job
			{ShopID: shop.ID, VariantPlatformID: "ghost", Available: 1, At: at},
			{ShopID: shop.ID, InventoryItemID: "inv-v3", LocationID: "lyon", Available: 2, At: at}, // the second job fails
			{ShopID: shop.ID, VariantPlatformID: "v6", LocationID: "paris", Available: 1, At: at},
		}
		real := db.Queue
		db.Queue = &failingQueue{inner: real, n: 2}
		_, err := db.ApplyStockChanges(ctx, changes)
		db.Queue = real
		if !errors.Is(err, errQueueFailed) {
			t.Fatalf("ApplyStockChanges with a failing queue = %v, want %v", err, errQueueFailed)
		}
		sameState(t, "after the failed batch", before, stockState(t, db, shop))

		outcomes, err := db.ApplyStockChanges(ctx, changes)
		must(t, err)
		for i, o := range outcomes {
			if i == 2 {
				wantCode(t, o.Err, stockbell.ENOTFOUND, "")
				continue
			}
			if o.Err != nil || !o.Result.Applied {
				t.Fatalf("change %d applied again: %s", i, outcomeText(o.Result, o.Err))
			}
		}
		if jobs := stockJobs(t, db); jobs[ids["v1"]] != 1 || jobs[ids["v3"]] != 1 || len(jobs) != 2 {
			t.Fatalf("stock jobs = %v, want one for v1 and v3", jobs)
		}
	})
}

// TestApplyStockChangesConcurrent runs batches that change the same
// variants in different orders at once, beside two writers applying
// theirs one by one: none may fail (no deadlock), and each location keeps
// the change with the newest platform time, whatever order they committed
// in.
func TestApplyStockChangesConcurrent(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		useClock(db)
		shop := batchCatalog(t, db, "concurrent.myshopify.com")
		ids := shop.ids
		// Locations the catalog has no level at: a level without a platform
		// time would make a push a re-read rather than order it.
		locations := []string{"loc-0", "loc-1", "loc-2", "loc-3"}
		const writers, batchWriters = 8, 6
		rng := rand.New(rand.NewPCG(7, 7))
		// newest[variant][location] is the newest change's quantity and time.
		type level struct {
			available int
			at        time.Time
		}
		newest := map[string]map[string]level{}
		for _, pid := range batchVariants {
			newest[pid] = map[string]level{}
			levels, err := db.FindInventoryLevels(ctx, shop.ID, ids[pid])
			must(t, err)
			for _, l := range levels {
				newest[pid][l.LocationID] = level{available: l.Available}
			}
		}
		for round := range 3 {
			base := platformT.Add(time.Duration(round) * time.Minute)
			batches := make([][]stockbell.StockChange, writers)
			for _, pid := range batchVariants {
				for _, loc := range locations {
					// Each writer changes the location at a second of its own.
					for w, sec := range rng.Perm(writers) {
						if rng.IntN(4) == 0 {
							continue
						}
						c := stockbell.StockChange{ShopID: shop.ID, VariantPlatformID: pid, LocationID: loc, Available: rng.IntN(10),
							At: base.Add(time.Duration(sec) * time.Second), Source: fmt.Sprintf("test:writer-%d", w)}
						if rng.IntN(2) == 0 {
							c.VariantPlatformID, c.InventoryItemID = "", "inv-"+pid
						}
						batches[w] = append(batches[w], c)
						if l := newest[pid][loc]; c.At.After(l.at) {
							newest[pid][loc] = level{available: c.Available, at: c.At}
						}
					}
				}
			}
			for _, b := range batches {
				rng.Shuffle(len(b), func(i, j int) { b[i], b[j] = b[j], b[i] })
			}
			var wg sync.WaitGroup
			start := make(chan struct{})
			errs := make([]error, writers)
			for w, b := range batches {
				wg.Go(func() {
					<-start
					if w >= batchWriters {
						for _, c := range b {
							if _, err := db.ApplyStockChange(ctx, c); err != nil {
								errs[w] = err
								return
							}
						}
						return
					}
					outcomes, err := db.ApplyStockChanges(ctx, b)
					if err == nil && len(outcomes) != len(b) {
						err = fmt.Errorf("%d outcomes for %d changes", len(outcomes), len(b))
					}
					for i, o := range outcomes {
						if err == nil && o.Err != nil {
							err = fmt.Errorf("change %d: %w", i, o.Err)
						}
					}
					errs[w] = err
				})
			}
			close(start)
			wg.Wait()
			for w, err := range errs {
				if err != nil {
					t.Fatalf("round %d writer %d: %v", round, w, err)
				}
			}
			for _, pid := range batchVariants {
				want := 0
				for _, l := range newest[pid] {
					want += l.available
				}
				if got := variant(t, db, shop.ID, pid).Stock; got != want {
					t.Errorf("round %d: %s stock = %d, want %d, the sum of the newest levels %v", round, pid, got, want, newest[pid])
				}
				levels, err := db.FindInventoryLevels(ctx, shop.ID, ids[pid])
				must(t, err)
				if len(levels) != len(newest[pid]) {
					t.Errorf("round %d: %s has %d levels, want %d", round, pid, len(levels), len(newest[pid]))
				}
				for _, l := range levels {
					if n, ok := newest[pid][l.LocationID]; !ok || l.Available != n.available {
						t.Errorf("round %d: %s at %s = %d, want %d of %v", round, pid, l.LocationID, l.Available, n.available, n.at)
					}
				}
			}
		}
	})
}

// TestApplyStockChangesEmpty: an empty batch has no outcomes.
func TestApplyStockChangesEmpty(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		for _, changes := range [][]stockbell.StockChange{nil, {}} {
			outcomes, err := db.ApplyStockChanges(ctx, changes)
			if err != nil || len(outcomes) != 0 {
				t.Fatalf("ApplyStockChanges(%#v) = %v, %v; want no outcomes", changes, outcomes, err)
			}
		}
	})
}
